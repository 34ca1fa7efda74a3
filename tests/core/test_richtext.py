"""Bodies: Markdown rendered, sanitised, and their plain text searchable."""
from dwgk.core.richtext import plain_text, render_markdown


def test_inline_markup_does_not_split_words():
    text = plain_text(render_markdown("拟推荐**王老师**为优秀共产党员，见[通知](http://x.cn)。"))
    assert "拟推荐王老师为优秀共产党员，见通知。" == text


def test_blocks_still_separate_words():
    assert plain_text(render_markdown("第一段\n\n第二段\n\n- 甲\n- 乙")) == "第一段 第二段 甲 乙"


def test_script_and_handlers_are_removed():
    html = render_markdown('<script>alert(1)</script><a href="javascript:x" onclick="y">链接</a>')
    assert "script" not in html and "javascript" not in html and "onclick" not in html
