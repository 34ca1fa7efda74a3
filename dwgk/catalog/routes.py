"""The disclosure catalog (/catalog) and its upkeep by the office."""
from __future__ import annotations

from flask import Blueprint

from dwgk.web.render import render

bp = Blueprint("catalog", __name__)


@bp.get("/catalog")
def index():
    return render("catalog/index.html")
