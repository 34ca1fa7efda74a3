"""The report's charts: SVG drawn on the server by pygal, safe to put inline in a page.

pygal writes its look as a <style> element and its tooltips as a <script> element inside
the SVG. The app's Content-Security-Policy forbids both inline (style-src/script-src
'self'), and the PDF needs no script either. So each chart is finished here
(`_presentational`): pygal's CSS is applied to the elements as SVG presentation attributes
(fill="…", font-size="…" — attributes, which the CSP allows), and every <script>,
<style>, comment, style attribute and tooltip is removed. What is left is plain SVG that
draws the same in the browser, in WeasyPrint and on paper, with nothing that runs and no
link to anywhere (the only URL in it is the SVG namespace).

Text typed by people (category names) reaches the SVG only through pygal's XML
serialiser, which escapes it.
"""
from __future__ import annotations

import sys
import unicodedata
from xml.etree import ElementTree

import cssselect2
import pygal
import tinycss2
from pygal.style import Style

from dwgk.reporting.figures import KindCount, ReportFigures

# pygal appends to sys.meta_path a finder for its map plugins (pygal.maps.*, unused here)
# that has no find_spec(): from then on Python 3.11 warns (ImportWarning) at every import
# that reaches it, anywhere in the process. Take it out again.
sys.meta_path[:] = [finder for finder in sys.meta_path
                    if type(finder).__module__.split(".")[0] != "pygal"]

# A CJK-capable font first: WenQuanYi Micro Hei is what the server (and so the PDF) has.
FONT = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif'

SCOPE_COLORS = ("#8e1212", "#c98a2b")  # 党内公开, 社会公开
TIMELINESS_COLORS = ("#2e7d32", "#e0a030", "#b71c1c")  # 按时, 逾期公开, 未公开
RESPONSE_COLORS = ("#78909c", "#2e7d32")  # 收到, 已答复

# CSS properties that SVG also accepts as presentation attributes.
_PRESENTATION = {
    "fill", "fill-opacity", "stroke", "stroke-width", "stroke-opacity", "stroke-dasharray",
    "stroke-linecap", "stroke-linejoin", "opacity", "font-family", "font-size", "font-weight",
    "font-style", "text-anchor", "dominant-baseline", "text-decoration", "visibility",
    "display",
}
_DROP_TAGS = {"script", "style", "desc"}
LABEL_FONT_SIZE = 14
MARGIN = 8


def _style(colors: tuple[str, ...]) -> Style:
    return Style(
        font_family=FONT, background="white", plot_background="white",
        foreground="#222", foreground_strong="#000", foreground_subtle="#bbb",
        guide_stroke_color="#c8c8c8", major_guide_stroke_color="#555",
        opacity="1", opacity_hover="1", transition="none", colors=colors,
        title_font_size=18, label_font_size=LABEL_FONT_SIZE, major_label_font_size=LABEL_FONT_SIZE,
        legend_font_size=15, value_font_size=14, no_data_font_size=20)


def _config(colors: tuple[str, ...], **options) -> dict:
    return dict(
        style=_style(colors), js=[],
        disable_xml_declaration=True, explicit_size=False, legend_at_bottom=True,
        legend_at_bottom_columns=len(colors), print_values=True, print_zeroes=False,
        show_y_guides=True, show_x_guides=False, tooltip_border_radius=0,
        no_data_text="本期无数据", truncate_label=-1, truncate_legend=-1, margin=MARGIN,
        **options)


def _counts_axis(chart, highest: int) -> None:
    """Whole numbers on the value axis (pygal would mark 0.2, 0.4 … for small counts)."""
    step = max(1, -(-highest // 8))
    chart.y_labels = list(range(0, highest + step, step))


def _left_margin(labels: list[str]) -> int:
    """The left margin that keeps a horizontal chart's row labels on the canvas.

    pygal reserves 0.6 em per character for a label; a Chinese character is 1 em wide. The
    labels' width is right-aligned against the axis, so the shortfall is added on the left.
    """
    shortfall = max((sum(0.4 for ch in label if unicodedata.east_asian_width(ch) in "WF")
                     for label in labels), default=0)
    return MARGIN + round(shortfall * LABEL_FONT_SIZE)


# ---------------------------------------------------------------------------------------
# Finishing an SVG


def _rules(css: str) -> list[tuple[list, list]]:
    """(compiled selectors, declarations) of each rule; selectors the matcher cannot use
    (e.g. :hover) are left out one by one, so `.a, .a:hover` still applies to .a."""
    rules = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type != "qualified-rule":
            continue
        declarations = [d for d in tinycss2.parse_blocks_contents(
            rule.content, skip_comments=True, skip_whitespace=True) if d.type == "declaration"]
        selectors, part = [], []
        for token in [*rule.prelude, None]:
            if token is None or (token.type == "literal" and token.value == ","):
                try:
                    selectors += cssselect2.compile_selector_list(part)
                except cssselect2.SelectorError:
                    pass
                part = []
            else:
                part.append(token)
        if selectors and declarations:
            rules.append((selectors, declarations))
    return rules


def _presentational(root: ElementTree.Element) -> ElementTree.Element:
    css = "\n".join(element.text or "" for element in root.iter("style"))
    matcher = cssselect2.Matcher()
    for selectors, declarations in _rules(css):
        for selector in selectors:
            matcher.add_selector(selector, declarations)
    wrapper = cssselect2.ElementWrapper.from_xml_root(root)
    computed: dict[ElementTree.Element, dict[str, str]] = {}
    for element in wrapper.iter_subtree():
        values: dict[str, tuple[bool, str]] = {}
        for _specificity, _order, pseudo, declarations in matcher.match(element):
            if pseudo is not None:
                continue
            for declaration in declarations:
                name = declaration.lower_name
                if name not in _PRESENTATION:
                    continue
                important = declaration.important
                if values.get(name, (False, ""))[0] and not important:
                    continue  # an earlier !important wins
                values[name] = (important, tinycss2.serialize(declaration.value).strip())
        if values:
            computed[element.etree_element] = {name: value for name, (_, value) in values.items()}
    inherited = computed.get(root, {}).get("font-family")
    for element, values in computed.items():
        if element is not root and values.get("font-family") == inherited:
            del values["font-family"]  # the root's font-family is inherited anyway
        element.attrib.update(values)
    _strip(root)
    root.attrib.pop("id", None)  # random per rendering; nothing refers to it any more
    return root


def _strip(parent: ElementTree.Element, depth: int = 0) -> None:
    """Remove scripts, styles, comments, tooltips, style attributes, nested titles and
    what is left empty of <defs>."""
    for child in list(parent):
        tag = child.tag if isinstance(child.tag, str) else None  # comments: a function
        classes = set(child.get("class", "").split()) if tag else set()
        if (tag is None or tag in _DROP_TAGS or "tooltip-overlay" in classes
                or (tag == "title" and depth > 0)):
            parent.remove(child)
            continue
        child.attrib.pop("style", None)
        child.attrib.pop("id", None)  # pygal's legend ids, for its script: unique per chart only
        _strip(child, depth + 1)
        if tag == "defs" and not len(child):
            parent.remove(child)


def render(chart, label: str) -> str:
    """The chart as an inline-safe SVG string, with an accessible name."""
    root = _presentational(chart.render_tree())
    root.set("role", "img")
    root.set("aria-label", label)
    root.set("class", "pygal-chart report-chart-svg")
    return ElementTree.tostring(root, encoding="unicode")


# ---------------------------------------------------------------------------------------
# The report's charts


def publications_chart(figures: ReportFigures) -> str:
    """Items first published in the period, by category, stacked by scope."""
    rows = figures.publications.by_category
    labels = [row.name for row in rows]
    chart = pygal.HorizontalStackedBar(**_config(
        SCOPE_COLORS, width=760, height=max(200, 110 + 42 * len(rows)),
        margin_left=_left_margin(labels)))
    chart.title = "公开事项数（按类别、公开范围）"
    chart.x_labels = labels
    if rows:
        _counts_axis(chart, max(row.total for row in rows))
        chart.add("党内公开", [row.members for row in rows])
        chart.add("社会公开", [row.public for row in rows])
    return render(chart, "公开事项数：按类别和公开范围")


def timeliness_chart(figures: ReportFigures) -> str:
    """On time / late / not published, for periodic and staged duties."""
    kinds = figures.timeliness
    labels = [kind.label for kind in kinds]
    chart = pygal.HorizontalStackedBar(**_config(TIMELINESS_COLORS, width=760, height=200,
                                                 margin_left=_left_margin(labels)))
    chart.title = "定期、分期公开按时情况（项次）"
    chart.x_labels = labels
    if any(kind.due for kind in kinds):
        _counts_axis(chart, max(kind.due for kind in kinds))
        chart.add("按时公开", [kind.on_time for kind in kinds])
        chart.add("逾期公开", [kind.late for kind in kinds])
        chart.add("未公开", [kind.missing for kind in kinds])
    return render(chart, "定期、分期公开按时情况")


def responses_chart(figures: ReportFigures) -> str:
    """Feedback by kind and supervision notes: received and answered."""
    rows = [*figures.feedback.by_kind, _notes_row(figures)]
    chart = pygal.Bar(**_config(RESPONSE_COLORS, width=760, height=260))
    chart.title = "意见建议、监督意见办理情况（件）"
    chart.x_labels = [row.label for row in rows]
    if any(row.received for row in rows):
        _counts_axis(chart, max(row.received for row in rows))
        chart.add("收到", [row.received for row in rows])
        chart.add("已答复", [row.answered for row in rows])
    return render(chart, "意见建议、监督意见收到与答复件数")


def _notes_row(figures: ReportFigures) -> KindCount:
    return KindCount("监督意见", figures.notes.filed, figures.notes.answered)


def report_charts(figures: ReportFigures) -> dict[str, str]:
    return {"publications": publications_chart(figures),
            "timeliness": timeliness_chart(figures),
            "responses": responses_chart(figures)}
