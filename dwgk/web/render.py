"""One helper decides whether a request gets the whole page or just a fragment."""
from __future__ import annotations

from flask import make_response, render_template, request



def is_fragment_request(headers) -> bool:
    """A plain htmx request, from its headers (as flask-htmx reads them): not boosted, not a
    history restore. Also asked before Flask runs (dwgk/web/fastlane.py)."""
    return (headers.get("HX-Request") == "true" and headers.get("HX-Boosted") != "true"
            and headers.get("HX-History-Restore-Request") != "true")


def wants_fragment() -> bool:
    """Whether this request gets the fragment rather than the page."""
    return is_fragment_request(request.headers)


def render(page: str, fragment: str | None = None, /, status: int = 200, **context):
    """Render `fragment` for a plain htmx request, `page` otherwise; always Vary: HX-Request.

    The page template includes the fragment, so one file serves both answers.
    """
    template = fragment if fragment and wants_fragment() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response
