"""What a file is, judged by its content; and what it will be called."""
from __future__ import annotations

import io

import pytest

from dwgk.disclosures.attachments import (
    ALLOWED_TYPES_MESSAGE,
    Refused,
    clean_name,
    display_name,
    path_for,
    sniff,
)
from tests.attachments import (
    DOCX,
    HTML,
    PDF,
    PNG,
    docx_bytes,
    exe_bytes,
    ole2_bytes,
    plain_zip_bytes,
)


def _sniff(data: bytes, name: str = ""):
    return sniff(data[:64], io.BytesIO(data), name)


@pytest.mark.parametrize("data, name, expected", [
    (PDF, "a.pdf", ("application/pdf", "pdf")),
    (PNG, "a.png", ("image/png", "png")),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20, "a.jpg", ("image/jpeg", "jpg")),
    (b"GIF89a\x01\x00\x01\x00" + b"\x00" * 20, "a.gif", ("image/gif", "gif")),
    (b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 20, "a.webp", ("image/webp", "webp")),
    (DOCX, "a.docx", ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")),
    (docx_bytes(folder="xl"), "a.xlsx",
     ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")),
    (docx_bytes(folder="ppt"), "a.pptx",
     ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx")),
    (ole2_bytes(), "旧通知.doc", ("application/msword", "doc")),
    (ole2_bytes(), "TABLE.XLS", ("application/vnd.ms-excel", "xls")),
    (ole2_bytes(), "a.ppt", ("application/vnd.ms-powerpoint", "ppt")),
    (ole2_bytes(), "a.wps", ("application/vnd.ms-works", "wps")),
    (ole2_bytes(), "a.et", ("application/vnd.ms-excel", "et")),
])
def test_allowed_types_are_recognised_by_content(data, name, expected):
    assert _sniff(data, name) == expected


def test_the_name_does_not_make_a_type():
    """A PDF named .docx is a PDF; a PNG named .pdf is a PNG."""
    assert _sniff(PDF, "a.docx") == ("application/pdf", "pdf")
    assert _sniff(PNG, "a.pdf") == ("image/png", "png")


@pytest.mark.parametrize("data, name", [
    (exe_bytes(), "setup.exe"),
    (exe_bytes(), "通知.pdf"),
    (HTML, "通知.pdf"),
    (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "logo.png"),
    (b"just text", "readme.txt"),
    (plain_zip_bytes(), "名单.zip"),
    (plain_zip_bytes(), "名单.docx"),
    (ole2_bytes(), "installer.msi"),
    (ole2_bytes(), "no-extension"),
    (b"PK\x03\x04 truncated", "a.docx"),
])
def test_everything_else_is_refused(data, name):
    with pytest.raises(Refused):
        _sniff(data, name)


def test_refusal_names_the_allowed_types():
    with pytest.raises(Refused) as refused:
        _sniff(exe_bytes(), "setup.exe")
    assert ALLOWED_TYPES_MESSAGE in str(refused.value)
    assert ALLOWED_TYPES_MESSAGE == "只能上传 PDF、图片（PNG/JPEG/GIF/WebP）或 Office 文档（Word/Excel/PowerPoint）"


def test_zip_that_is_not_office_is_refused_with_a_message():
    with pytest.raises(Refused) as refused:
        _sniff(plain_zip_bytes(), "名单.docx")
    assert "压缩包" in str(refused.value)


def test_office_documents_with_macros_are_refused():
    with pytest.raises(Refused) as refused:
        _sniff(docx_bytes({"word/vbaProject.bin": "macro"}), "a.docx")
    assert "宏" in str(refused.value)


def test_empty_file_is_refused():
    with pytest.raises(Refused) as refused:
        _sniff(b"", "a.pdf")
    assert "空" in str(refused.value)


@pytest.mark.parametrize("raw, expected", [
    ("党费收缴情况.pdf", "党费收缴情况.pdf"),
    ("C:\\Users\\办公室\\Desktop\\党费.pdf", "党费.pdf"),
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("a\x00b\r\n.pdf", "ab.pdf"),
    ("invoice\u202egpj.exe.pdf", "invoicegpj.exe.pdf"),
    ("  第一季度   报告.pdf  ", "第一季度 报告.pdf"),
    ("", "附件"),
    ("...", "附件"),
    (None, "附件"),
])
def test_clean_name(raw, expected):
    assert clean_name(raw) == expected


def test_display_name_gets_the_extension_of_what_the_file_is():
    assert display_name("通知.txt", "application/pdf", "pdf") == "通知.txt.pdf"
    assert display_name("通知", "application/pdf", "pdf") == "通知.pdf"
    assert display_name("通知.PDF", "application/pdf", "pdf") == "通知.PDF"
    assert display_name("照片.jpeg", "image/jpeg", "jpg") == "照片.jpeg"
    assert display_name("报告.doc", "application/vnd.openxmlformats-officedocument."
                        "wordprocessingml.document", "docx") == "报告.doc.docx"


def test_display_name_is_at_most_255_characters_and_keeps_the_extension():
    name = display_name("长" * 400 + ".pdf", "application/pdf", "pdf")
    assert len(name) == 255
    assert name.endswith("长.pdf")


def test_path_for_accepts_only_random_names(app):
    with app.app_context():
        good = path_for("0123456789abcdef0123456789abcdef")
        assert good.parent.name == "01"
        for bad in ("../../etc/passwd", "0123", "0123456789ABCDEF0123456789ABCDEF", "",
                    "../0123456789abcdef0123456789abcd"):
            with pytest.raises(ValueError):
                path_for(bad)
