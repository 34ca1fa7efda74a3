"""/healthz: is the database reachable, is Redis? Redis down is reported, not an error."""
from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from dwgk.extensions import db, get_redis

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception as exc:  # the point is to report any failure
        db.session.rollback()
        database = f"error: {type(exc).__name__}"
    try:
        get_redis().ping()
        redis_status = "ok"
    except Exception as exc:
        redis_status = f"down: {type(exc).__name__}"
    healthy = database == "ok"
    body = {"status": "ok" if healthy else "error", "database": database, "redis": redis_status}
    response = jsonify(body)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
