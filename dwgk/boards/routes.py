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


@bp.get("/items/<int:disclosure_id>")
def item(disclosure_id: int):
    disclosure = policy.get_visible_or_404(disclosure_id)
    return render("boards/item.html", disclosure=disclosure, revision=disclosure.live_revision)
