"""The screen's QR code to the feedback form: drawn on the server by segno as SVG markup and
put into the page as it is. No JavaScript library, no image request, nothing from outside
(the intranet and the display have no internet)."""
from __future__ import annotations

from functools import lru_cache

import segno
from flask import current_app, request
from markupsafe import Markup

FEEDBACK_PATH = "/feedback/new?channel=kiosk"  # a stable path (design.md); kiosk: the channel


def feedback_url() -> str:
    """The feedback form on DWGK_PUBLIC_URL (what phones on the intranet reach), or on the
    address this request came to when that is not configured."""
    base = (current_app.config.get("DWGK_PUBLIC_URL") or request.url_root).rstrip("/")
    return base + FEEDBACK_PATH


@lru_cache(maxsize=16)
def svg(url: str) -> Markup:
    """`url` as an inline <svg>: well-formed XML, drawn with presentation attributes only
    (the CSP allows no inline style), scaled by the stylesheet through its viewBox.
    Error correction M: still readable behind a scratched screen."""
    code = segno.make(url, error="m", micro=False)
    return Markup(code.svg_inline(scale=1, border=2, dark="#000", light="#fff", omitsize=True,
                                  svgclass="kiosk-qr-code", lineclass=None,
                                  title="扫码提意见建议"))
