"""The public board (社会公开栏), the member board (党内公开栏), one item's page, its earlier
revisions, and the printable A4 notice for the paper board."""
from __future__ import annotations

from flask import (Blueprint, abort, current_app, make_response, redirect, render_template,
                   request, url_for)
from flask_login import current_user
from markupsafe import Markup

from dwgk import policy
from dwgk.boards import queries
from dwgk.boards.queries import Board, Status
from dwgk.core.workdays import Calendar
from dwgk.web import cache
from dwgk.web.render import render, wants_fragment

bp = Blueprint("boards", __name__)


@bp.context_processor
def attachment_links():
    """Download links for attachments, once the attachments blueprint has its route."""

    def attachment_url(attachment) -> str | None:
        if "attachments.download" not in current_app.view_functions:
            return None
        return url_for("attachments.download", attachment_id=attachment.id,
                       filename=attachment.original_name)

    return {"attachment_url": attachment_url}


def _list_html(board: Board, filters: queries.BoardFilters) -> Markup:
    """The board's list (boards/_list.html): the same for every reader of the same kind —
    the public, or any insider (policy.board_visibility) — so it is rendered once per
    cache generation and kept until the next moment the items shown may change with the
    time. Never anything of one user: the page around it (name, menu, bell) is rendered
    for each request."""
    def rendered() -> str:
        return render_template("boards/_list.html", board=board, filters=filters,
                               pagination=queries.board_page(board, current_user, filters))

    return Markup(cache.memoize("board-list", (board.value, _reader_kind(), filters), rendered))


def _reader_kind() -> str:
    """What a board shows depends on its reader only through this (policy.board_visibility)."""
    return "insider" if policy.is_signed_in(current_user) else "public"


def _board(board: Board, page: str):
    filters = queries.parse_filters(request.args)
    list_html = _list_html(board, filters)
    if wants_fragment():
        response = make_response(list_html)
        response.vary.add("HX-Request")
        # The address bar gets the tidy URL of what is shown (no empty fields of the form);
        # url_for percent-encodes, so the header stays ASCII.
        response.headers["HX-Push-Url"] = url_for(request.endpoint, **filters.args())
        return response
    return render(page, board=board, filters=filters, list_html=list_html,
                  categories=cache.memoize("board-categories", (board.value, _reader_kind()),
                                           lambda: queries.board_categories(board, current_user)),
                  statuses=list(Status))


@bp.get("/")
@cache.cached_page
def public():
    return _board(Board.PUBLIC, "boards/public.html")


@bp.get("/members")
@policy.require(policy.can_read_member_board)
def members():
    return _board(Board.MEMBERS, "boards/members.html")


def _item_context(disclosure_id: int) -> dict:
    disclosure = queries.load_item(policy.get_visible_or_404(disclosure_id))
    revision = disclosure.live_revision
    return {
        "disclosure": disclosure,
        "revision": revision,
        "publicity": queries.publicity_period(disclosure, revision, Calendar.load()),
        "opinions": queries.opinion_window(disclosure, revision),
    }


@bp.get("/items/<int:disclosure_id>")
@cache.cached_page
def item(disclosure_id: int):
    context = _item_context(disclosure_id)
    disclosure, revision = context["disclosure"], context["revision"]
    predisclosure = queries.readable_predisclosure(disclosure, current_user)
    return render(
        "boards/item.html", **context,
        history=queries.earlier_revisions(disclosure, current_user),
        predisclosure=predisclosure,
        answers=queries.opinion_answers(disclosure) if predisclosure is not None else None,
        formal=(queries.formal_version(disclosure, current_user)
                if revision.is_predisclosure else None),
        stages=queries.work_stages(disclosure, current_user),
    )


@bp.get("/items/<int:disclosure_id>/preview")
def preview(disclosure_id: int):
    """预览: the working revision through the item page's own article (boards/_article.html),
    framed by a banner. Never kept: not a cached page, and `no-store` for the browser."""
    disclosure = queries.load_preview(policy.get_previewable_or_404(disclosure_id))
    if disclosure.withdrawn_at is None and disclosure.working_revision_id == disclosure.live_revision_id:
        # Nothing unpublished: what is published is the item's page itself.
        return redirect(url_for("boards.item", disclosure_id=disclosure.id))
    response = render("boards/preview.html", disclosure=disclosure,
                      revision=disclosure.working_revision,
                      answers=(queries.opinion_answers(disclosure)
                               if disclosure.predisclosure_id else None))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/items/<int:disclosure_id>/revisions/<int:number>")
def revision(disclosure_id: int, number: int):
    disclosure = policy.get_visible_or_404(disclosure_id)
    shown = queries.published_revision(disclosure, number)
    if shown is None:
        abort(404)
    if not policy.can_read_revision(current_user, disclosure, shown):
        policy.deny_object()
    return render("boards/revision.html", disclosure=disclosure, revision=shown,
                  live=disclosure.live_revision)


@bp.get("/items/<int:disclosure_id>/print")
@cache.cached_page
def print_item(disclosure_id: int):
    return render("boards/print.html", **_item_context(disclosure_id))
