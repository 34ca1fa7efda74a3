"""Long unbroken titles — 80 Chinese characters without a space, a pasted address — wrap
inside the office pages instead of widening them past the screen (desktop and phone)."""
from __future__ import annotations

from datetime import datetime

import pytest

from dwgk.accounts.models import Role, User
from dwgk.catalog.models import Cadence
from dwgk.disclosures.models import State
from dwgk.extensions import db
from dwgk.feedback import services as fb
from dwgk.supervision.services import NoteInput, file_note
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.factories import make_catalog_entry, make_category, make_disclosure, make_user

pytestmark = pytest.mark.browser

CHINESE = ("关于学校党支部二〇二六年度第三季度党费收缴使用管理情况及主题党日活动开展情况的公示"
           "暨组织生活会召开情况和民主评议党员结果通报")[:80]
ADDRESS = "https://www.example.gov.cn/dangwu/gongkai/2026/notice_" + "0123456789abcdef" * 8
WIDTHS = (1280, 390)


def _seed(app, users, frozen_clock) -> dict:
    with app.app_context():
        frozen_clock(datetime(2026, 10, 9, 10, 0))
        office = db.session.get(User, users["office"])
        reviewer = db.session.get(User, users["reviewer"])
        make_user(Role.OFFICE, Role.REVIEWER, Role.SUPERVISOR, Role.MEMBER, username="staff")
        category = make_category("工作动态" + "很长的类别名称" * 4)
        entry = make_catalog_entry(category, title=CHINESE + ADDRESS[:100])
        published = make_disclosure(title=CHINESE, category=category, catalog_entry=entry,
                                    author=office, reviewer=reviewer,
                                    body=f"<p>{ADDRESS}</p><p>{CHINESE * 3}</p>")
        in_review = make_disclosure(State.IN_REVIEW, title=ADDRESS, category=category, author=office,
                        cadence=Cadence.IMMEDIATE)
        make_disclosure(State.DRAFT, title=CHINESE[:40] + ADDRESS[:150], category=category, author=office)
        fb.file_feedback(fb.FeedbackInput(body=CHINESE + ADDRESS, disclosure_id=published.id))
        file_note(NoteInput(topic="content", body=ADDRESS + CHINESE, disclosure_id=published.id),
                  author=db.session.get(User, users["supervisor"]))
        db.session.commit()
        frozen_clock(datetime(2026, 11, 20, 10, 0))
        return {"item": published.id, "in_review": in_review.id}


def test_long_titles_do_not_widen_office_pages(app, users, live_server, page, frozen_clock):
    made = _seed(app, users, frozen_clock)
    base = live_server.url
    sign_in(page, base, "staff")
    pages = {
        "items-list": "/office/items",
        "item": f"/items/{made['item']}",
        "office-item": f"/office/items/{made['item']}",
        "review-item": f"/review/{made['in_review']}",
        "review-queue": "/review",
        "ledger": "/ledger/items?period=2026Q4",
        "supervision": "/supervision",
        "catalog": "/catalog",
    }
    ARTIFACTS.mkdir(exist_ok=True)
    too_wide = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in pages.items():
            page.goto(base + path)
            assert CHINESE[:20] in page.content() or ADDRESS[:30] in page.content(), name
            page.screenshot(path=str(ARTIFACTS / f"long-titles-{name}-{width}.png"), full_page=True)
            scroll_width, inner_width = page.evaluate(
                "[document.scrollingElement.scrollWidth, window.innerWidth]")
            if scroll_width > inner_width:
                too_wide.append(f"{name} at {width}px: {scroll_width}px wide")
            if width >= 1280:  # on a desktop a table fits its box too: no sideways scrolling
                tables = page.evaluate("[...document.querySelectorAll('.table-scroll')]"
                                       ".filter(box => box.scrollWidth > box.clientWidth).length")
                if tables:
                    too_wide.append(f"{name} at {width}px: {tables} table(s) scroll sideways")
    assert not too_wide, "\n".join(too_wide)
