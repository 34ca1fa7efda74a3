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


def test_one_allow_list_for_editor_html():
    from dwgk.core.richtext import sanitise

    html = sanitise('<p style="color:red" onclick="x" hx-get="/a" class="ql-x">正文'
                    '<img src="/attachments/3/a.png" alt="合影"><img src="/attachments/4/b.png">'
                    '<img src="data:image/png;base64,AA"><img src="http://evil.example/x.png">'
                    '<a href="javascript:alert(1)">链接</a></p><style>p{}</style><!-- c -->'
                    '<table><tbody><tr><td data-row="1" colspan="2">甲</td></tr></tbody></table>',
                    image_ids={3})
    assert html == ('<p>正文<img src="/attachments/3/a.png" alt="合影"><a rel="noopener noreferrer">'
                    '链接</a></p><table><tbody><tr><td colspan="2">甲</td></tr></tbody></table>')


def test_plain_text_keeps_its_line_breaks():
    from dwgk.core.richtext import body_html

    assert body_html("第一行\n第二行\n\n第二段 <b>") == "<p>第一行<br>第二行</p><p>第二段 &lt;b&gt;</p>"


def test_review_diff_lines_have_no_markup():
    from dwgk.core.richtext import text_lines

    assert text_lines('<h2>收支</h2><p>收缴<strong>到位</strong><br>上缴</p><ul><li>甲</li></ul>'
                      '<table><tr><th>项目</th><th>金额</th></tr><tr><td>收缴</td><td>4,800</td></tr>'
                      '</table><p><img src="/attachments/1/a.png" alt="合影"></p>') == [
        "收支", "收缴到位", "上缴", "甲", "项目 | 金额", "收缴 | 4,800", "[图片：合影]"]
