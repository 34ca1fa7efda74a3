"""Bodies are typed as Markdown (paragraphs, lists, tables, links) and stored twice: as
typed, and rendered to HTML that nh3 has sanitised. Only the sanitised HTML is ever shown."""
from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "strong", "em", "b", "i", "u", "s", "sub", "sup",
    "ul", "ol", "li", "blockquote", "pre", "code", "a", "table", "thead", "tbody", "tr",
    "th", "td", "caption",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitise(html: str) -> str:
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer")


def render_markdown(source: str) -> str:
    """Markdown (raw HTML allowed, then cleaned) to safe HTML."""
    return sanitise(_markdown.render(source or ""))


_BLOCK_TAG = re.compile(r"</?(?:p|br|hr|h[1-6]|ul|ol|li|blockquote|pre|table|caption|thead|tbody"
                        r"|tr|th|td|div)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def plain_text(html: str) -> str:
    """The words of a sanitised HTML fragment, for search and summaries. Block elements
    separate words; inline ones (**bold**, links) do not: "拟推荐**王老师**为" reads
    "拟推荐王老师为", so a search for 推荐王老师 finds it."""
    from html import unescape

    text = _TAG.sub("", _BLOCK_TAG.sub(" ", html or ""))
    return _SPACE.sub(" ", unescape(text)).strip()
