"""Item bodies are HTML: written in the rich-text editor (static/js/editor.js, Quill), or as
plain text where JavaScript is off, and stored only after nh3 has cleaned them with the one
allow-list below. The same stored HTML is shown on the boards, the print view, the kiosk
and the PDF. Markdown (the format before migration 0014) is still read by the migration and
the demo data, which render it once to HTML."""
from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from html import escape, unescape

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "strong", "em", "b", "i", "u", "s", "sub", "sup",
    "ul", "ol", "li", "blockquote", "pre", "code", "a", "img",
    "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "col": {"span"},
    "colgroup": {"span"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Dropped with their content (Word's clipboard carries <style> and <xml> blocks).
DROPPED_WITH_CONTENT = {"script", "style", "title", "xml", "template", "iframe", "object"}

# An image may only show one of the item's own attachments: /attachments/<id>/<name>.
ATTACHMENT_SRC = re.compile(r"^/attachments/(\d+)/[^\s\"'<>?#]+$")


def attachment_url_id(src: str) -> int | None:
    match = ATTACHMENT_SRC.match(src or "")
    return int(match.group(1)) if match else None


def sanitise(html: str, *, image_ids: Collection[int] = ()) -> str:
    """The one allow-list. `image_ids`: the attachment ids an <img> may show; any other
    source (another item's file, data:, an outside address) is removed with its image."""
    allowed = set(image_ids)

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src":
            return value if attachment_url_id(value) in allowed else None
        return value

    cleaned = nh3.clean(html or "", tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                        clean_content_tags=DROPPED_WITH_CONTENT, attribute_filter=keep,
                        url_schemes=URL_SCHEMES, link_rel="noopener noreferrer", strip_comments=True)
    # An image whose source was refused is not an image at all.
    cleaned = _IMG_WITHOUT_SRC.sub("", cleaned)
    return _EMPTY_TAIL.sub("", cleaned).strip()


_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>", re.I)
# The editor always ends with an empty paragraph; it is not content.
_EMPTY_TAIL = re.compile(r"(?:\s*<p>(?:\s|<br>|&nbsp;)*</p>)+\s*$")
# The editor's HTML always starts with a block; anything else is text typed without it.
_LOOKS_LIKE_HTML = re.compile(r"^\s*<(?:p|h[1-6]|ul|ol|table|div|blockquote|pre)\b", re.I)


def plain_text_to_html(text: str) -> str:
    """What a plain text area gives (JavaScript off): a blank line starts a paragraph, a
    single line break stays a line break (the office types poems and lists this way)."""
    paragraphs = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip())
    return "".join("<p>" + "<br>".join(escape(line) for line in block.split("\n")) + "</p>"
                   for block in paragraphs if block.strip())


def body_html(submitted: str, *, image_ids: Collection[int] = ()) -> str:
    """The body to store from what the form sent: HTML from the editor, or plain text."""
    submitted = submitted or ""
    if not _LOOKS_LIKE_HTML.match(submitted):
        submitted = plain_text_to_html(submitted)
    return sanitise(submitted, image_ids=image_ids)


def render_markdown(source: str) -> str:
    """Markdown (raw HTML allowed, then cleaned) to safe HTML: bodies written before the
    editor (migration 0014) and the demo data."""
    return sanitise(_markdown.render(source or ""))


def rewrite_attachment_ids(html: str, mapping: Mapping[int, int]) -> str:
    """The body of a copied revision, its images pointing at the copied attachments."""
    def swap(match: re.Match) -> str:
        old = int(match.group(2))
        return f"{match.group(1)}{mapping.get(old, old)}/"
    return re.sub(r'(src="/attachments/)(\d+)/', swap, html or "")


_BLOCK_TAG = re.compile(r"</?(?:p|br|hr|h[1-6]|ul|ol|li|blockquote|pre|table|caption|thead|tbody"
                        r"|tfoot|tr|th|td|div|img)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def plain_text(html: str) -> str:
    """The words of a sanitised HTML fragment, for search and summaries. Block elements
    separate words; inline ones (bold, links) do not: "拟推荐<b>王老师</b>为" reads
    "拟推荐王老师为", so a search for 推荐王老师 finds it."""
    text = _TAG.sub("", _BLOCK_TAG.sub(" ", html or ""))
    return _SPACE.sub(" ", unescape(text)).strip()


_LINE_BREAK = re.compile(r"<br\s*/?>|</?(?:p|h[1-6]|li|blockquote|pre|tr|caption|table|ul|ol|hr)\b[^>]*>", re.I)
_CELL_END = re.compile(r"</t[dh]>", re.I)
_IMAGE = re.compile(r"<img\b[^>]*>", re.I)
_ALT = re.compile(r'\balt="([^"]*)"')


def text_lines(html: str) -> list[str]:
    """The body as readable lines for the review diff: one line per paragraph, heading,
    list item or table row (cells joined by " | "), images as [图片], no markup."""
    def image(match: re.Match) -> str:
        alt = _ALT.search(match.group(0))
        return f" [图片{'：' + alt.group(1) if alt and alt.group(1) else ''}] "
    html = _IMAGE.sub(image, html or "")
    html = _CELL_END.sub(" | ", html)
    html = _LINE_BREAK.sub("\n", html)
    lines = []
    for line in unescape(_TAG.sub("", html)).split("\n"):
        line = _SPACE.sub(" ", line).strip().removesuffix("|").strip()
        if line:
            lines.append(line)
    return lines
