"""On a phone (390 px wide), with the demo unit's data: every main office page fits the
screen (no sideways scrolling), and its tables are stacked cards whose cells say which
column they are (the `table.stack` pattern of static/css/app.css)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from dwgk.demo.seed import DEMO_PASSWORD, seed_demo
from dwgk.disclosures.models import Disclosure, Revision, State
from dwgk.extensions import db
from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# (name, who signs in — None: the public, path, whether the page shows a stacked table)
PAGES = [
    ("catalog", None, "/catalog", True),
    ("catalog-office", "office", "/catalog", True),
    ("catalog-manage", "office", "/catalog/manage", True),
    ("disclosure-list", "office", "/office/items", True),
    ("edit-form", "office", "/office/items/{draft}/edit", False),
    ("new-form", "office", "/office/items/new", False),
    ("review-queue", "reviewer", "/review", True),
    ("review-page", "reviewer", "/review/{in_review}", False),
    ("feedback-inbox", "office", "/office/feedback", True),
    ("supervision-inbox", "supervisor", "/supervision", False),
    ("supervision-office", "office", "/office/supervision", True),
    ("dashboard", "office", "/dashboard", True),
    ("duties", "office", "/duties", True),
    ("ledger-items", "office", "/ledger/items", True),
    ("ledger-reviews", "office", "/ledger/reviews", True),
    ("ledger-feedback", "office", "/ledger/feedback", True),
    ("ledger-notes", "supervisor", "/ledger/notes", True),
    ("users", "admin", "/admin/users", True),
    ("audit", "admin", "/admin/audit", True),
    ("feedback-new", None, "/feedback/new", False),
    # The other office forms and admin pages.
    ("entry-form", "office", "/catalog/entries/new", False),
    ("feedback-log-form", "office", "/office/feedback/log", False),
    ("note-form", "supervisor", "/supervision/notes/new", False),
    ("relay-form", "supervisor", "/supervision/relay", False),
    ("report", "office", "/report", False),
    ("user-form", "admin", "/admin/users/new", False),
    ("settings", "admin", "/admin/settings", False),
    ("workdays", "admin", "/admin/workdays", False),
    ("jobs", "admin", "/admin/jobs", False),
]
# Looked at at both widths (README and the screenshots).
BOTH_WIDTHS = {"catalog", "disclosure-list", "review-queue", "edit-form"}


@pytest.fixture
def demo(app):
    with app.app_context():
        seed_demo()
        db.session.commit()
        ids = {}
        for key, state in (("draft", State.DRAFT), ("in_review", State.IN_REVIEW)):
            ids[key] = db.session.scalar(
                select(Disclosure.id).join(Revision, Disclosure.working_revision_id == Revision.id)
                .where(Disclosure.state == state, Disclosure.live_revision_id.is_(None))
                .order_by(Disclosure.id))
        return ids


def _open(browser, base: str, who: str | None, viewport: dict):
    context = browser.new_context(locale="zh-CN", viewport=viewport,
                                  is_mobile=viewport is PHONE, has_touch=viewport is PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.dwgk_errors = []
    page.on("pageerror", lambda exc: page.dwgk_errors.append(str(exc)))
    if who:
        page.goto(base + "/login")
        page.get_by_label("用户名").fill(who)
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(re.compile(r".*/(members|duties|supervision|admin.*)$"))
    return context, page


# What a stacked cell shows before its content: its column's header.
LABELS = """() => [...document.querySelectorAll('table.stack td[data-label]:not(.stack-title)')]
    .filter((td) => td.offsetParent !== null)
    .map((td) => [td.dataset.label, getComputedStyle(td, '::before').content,
                  getComputedStyle(td).display])"""


READERS = sorted({who or "" for _, who, _, _ in PAGES})


@pytest.mark.parametrize("reader", READERS, ids=[reader or "public" for reader in READERS])
def test_office_pages_fit_a_phone(live_server, playwright_browser, demo, reader):
    """Each reader's pages in one signed-in session (the demo is seeded once per reader)."""
    ARTIFACTS.mkdir(exist_ok=True)
    context, page = _open(playwright_browser, live_server.url, reader or None, PHONE)
    mine = [(name, path, has_table) for name, who, path, has_table in PAGES if (who or "") == reader]
    for name, path, has_table in mine:
        _check_page(page, name, live_server.url + path.format(**demo), has_table)
    context.close()
    wide = [(name, path) for name, path, _ in mine if name in BOTH_WIDTHS]
    if wide:
        context, page = _open(playwright_browser, live_server.url, reader or None, DESKTOP)
        for name, path in wide:
            page.goto(live_server.url + path.format(**demo))
            # On a desktop the table is still a table.
            assert all(display == "table-cell" for _, _, display in page.evaluate(LABELS)), name
            page.screenshot(path=str(ARTIFACTS / f"phone-{name}-1280.png"), full_page=True)
        context.close()


def _check_page(page, name: str, url: str, has_table: bool) -> None:
    response = page.goto(url)
    assert response.status == 200, (name, response.status)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if name in BOTH_WIDTHS:
        page.screenshot(path=str(ARTIFACTS / f"phone-{name}-390.png"), full_page=True)
    assert width <= 390, f"{name}: {width} px wide"
    cells = page.evaluate(LABELS)
    if has_table:
        assert cells, f"{name}: no stacked table cell with a label"
        for label, before, display in cells:
            assert display != "table-cell" and before == f'"{label}"', (name, label, before)
    # Every field and button within the screen.
    overflowing = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea, button, .ql-toolbar')]
        .filter((el) => el.offsetParent !== null && el.getBoundingClientRect().right > 390.5)
        .map((el) => el.outerHTML.slice(0, 80))""")
    assert not overflowing, (name, overflowing)
    assert not page.dwgk_errors, (name, page.dwgk_errors)
