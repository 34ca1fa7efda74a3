"""The summary report as a PDF: WeasyPrint renders the print view's HTML.

Nothing is fetched from the network: the only resources the HTML may name are the app's
own static files (its stylesheets), read from disk by `StaticFilesFetcher`; data: URLs are
read in place; every other URL is refused, and a refused resource stops the rendering
(a report that silently lost its stylesheet would look right to nobody). Chinese is drawn
with the CJK font installed on the server (Debian fonts-wqy-microhei, named last in the
print stylesheet's font-family lists, so fontconfig falls back to it).

WeasyPrint is imported here, when a PDF is asked for, not when the app starts.
"""
from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app
from werkzeug.security import safe_join

BASE_URL = "file:///"  # "/static/css/print.css" becomes file:///static/css/print.css


class RefusedURL(ValueError):
    """A resource the PDF may not load."""


def _static_file(url: str, static_folder: str, static_url_path: str) -> Path:
    """The file on disk that a file: URL names under the app's static URL path."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise RefusedURL(f"refused (not a local file): {url}")
    path = unquote(parts.path)
    prefix = static_url_path.rstrip("/") + "/"
    if not path.startswith(prefix):
        raise RefusedURL(f"refused (not a static file of the app): {url}")
    found = safe_join(static_folder, path[len(prefix):])
    if found is None or not Path(found).is_file():
        raise RefusedURL(f"refused (no such static file): {url}")
    return Path(found)


def make_fetcher():
    """A WeasyPrint URL fetcher that serves the app's static files and data: URLs only."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    static_folder = current_app.static_folder
    static_url_path = current_app.static_url_path

    class StaticFilesFetcher(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=True)

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = _static_file(url, static_folder, static_url_path)
            mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime_type})

    return StaticFilesFetcher()


def html_to_pdf(html: str) -> bytes:
    """The PDF of `html` (a page rendered by the app), printed as the print stylesheet says."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=BASE_URL, url_fetcher=make_fetcher(), media_type="print")
    return document.write_pdf()
