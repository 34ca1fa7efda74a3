"""The public board and the member board."""
from __future__ import annotations

from flask import Blueprint

from dwgk import policy
from dwgk.web.render import render

bp = Blueprint("boards", __name__)


@bp.get("/")
def public():
    return render("boards/public.html")


@bp.get("/members")
@policy.require(policy.can_read_member_board)
def members():
    return render("boards/members.html")
