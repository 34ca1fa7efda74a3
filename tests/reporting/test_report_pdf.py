"""The summary report's PDF: WeasyPrint on the print view, Chinese drawn with the CJK font,
nothing fetched from the network. Page 1 is rendered to a PNG (pypdfium2) and looked at."""
from __future__ import annotations

import ctypes
import os
import re
from pathlib import Path
from urllib.parse import unquote

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from tests.reporting.test_report import CANARIES, seed_fourth_quarter

TITLE = "关于2026年第四季度党务公开工作情况的报告"


def _fonts(page) -> set[tuple[str, bool]]:
    """(base font name, embedded?) of every text object on the page."""
    found = set()
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
        font = pdfium_c.FPDFTextObj_GetFont(obj.raw)
        size = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
        buffer = ctypes.create_string_buffer(size)
        pdfium_c.FPDFFont_GetBaseFontName(font, buffer, size)
        found.add((buffer.value.decode("utf-8", "replace"),
                   bool(pdfium_c.FPDFFont_GetIsEmbedded(font))))
    return found


def test_the_pdf_is_an_a4_document_in_chinese(app, frozen_clock, login_as, tmp_path):
    with app.app_context():
        seed_fourth_quarter()
    response = login_as("office").get("/report/pdf?period=2026Q4")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "党务公开工作情况报告-2026Q4.pdf"

    pdf = pdfium.PdfDocument(response.data)
    try:
        assert len(pdf) >= 2
        text = ""
        for page in pdf:
            text += page.get_textpage().get_text_range()
        compact = re.sub(r"\s+", "", text)
        assert TITLE in compact
        for words in ("一、公开事项情况", "按时公开率40.0%", "（盖章）", "2027年1月5日", "示例学校党支部"):
            assert words in compact
        # The charts are in the PDF (their text too), and no filer's details are anywhere.
        assert "公开事项数（按类别、公开范围）" in compact
        for canary in CANARIES:
            assert canary not in compact

        first = pdf[0]
        width, height = first.get_size()  # points: A4 is 595 × 842
        assert (round(width), round(height)) == (595, 842)
        fonts = _fonts(first)
        assert fonts and all(embedded for _, embedded in fonts)
        assert any("WenQuanYi" in name for name, _ in fonts), fonts

        image = first.render(scale=1.5).to_pil().convert("L")
        path = Path(os.environ.get("DWGK_REPORT_PNG", tmp_path / "report-page-1.png"))
        image.save(path)
        dark = sum(image.histogram()[:160])
        assert dark > 0.01 * image.width * image.height  # text and tables, not a blank sheet
        # Margins stay white: nothing is drawn in the outer 15 mm of the sheet.
        margin = int(15 / 25.4 * 72 * 1.5)
        assert image.crop((0, 0, image.width, margin)).getextrema()[0] > 200
        assert image.crop((0, 0, margin, image.height)).getextrema()[0] > 200
    finally:
        pdf.close()  # and with it its pages


def test_the_pdf_fetches_nothing_but_the_apps_static_files(app):
    from dwgk.reporting.pdf import RefusedURL, make_fetcher

    with app.test_request_context():
        fetcher = make_fetcher()
        css = fetcher.fetch("file:///static/css/print.css")
        assert b"@page" in css.read()
        css.close()
        assert fetcher.fetch("data:text/plain,ok").read() == b"ok"
        for url in ("http://example.com/report.css", "https://127.0.0.1/static/css/print.css",
                    "file:///etc/passwd", "file:///static/../dwgk/config.py",
                    "file://example.com/static/css/print.css", "ftp://example.com/x"):
            with pytest.raises(RefusedURL):
                fetcher.fetch(url)


def test_weasyprint_is_imported_only_for_a_pdf():
    """The app starts without WeasyPrint (it takes half a second to import)."""
    import subprocess
    import sys

    code = ("import sys; from dwgk import create_app; create_app({'TESTING': True, "
            "'SQLALCHEMY_DATABASE_URI': 'sqlite://', 'SECRET_KEY': 'x'}); "
            "print('weasyprint' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=Path(__file__).parents[2], check=True)
    assert result.stdout.strip().splitlines()[-1] == "False"
