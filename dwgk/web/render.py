"""One helper decides whether a request gets the whole page or just a fragment."""
from __future__ import annotations

from flask import make_response, render_template

from dwgk.extensions import htmx


def wants_fragment() -> bool:
    """A plain htmx request gets the fragment: not boosted, not a history restore."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(page: str, fragment: str | None = None, /, status: int = 200, **context):
    """Render `fragment` for a plain htmx request, `page` otherwise; always Vary: HX-Request.

    The page template includes the fragment, so one file serves both answers.
    """
    template = fragment if fragment and wants_fragment() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response
