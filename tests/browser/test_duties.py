"""The office in a real browser: sign in, open 我的待办 from the navigation, read how an
overdue duty's date was computed, and follow it to the item."""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from dwgk.catalog.models import Cadence
from dwgk.disclosures.models import State
from dwgk.extensions import db
from tests.browser.conftest import sign_in
from tests.factories import make_disclosure
from tests.reminders import user

pytestmark = pytest.mark.browser

TITLE = "校舍维修工程结果公示"


def test_office_opens_my_duties_and_follows_one_to_its_item(app, users, live_server, page,
                                                            frozen_clock):
    frozen_clock(datetime(2026, 9, 27, 10, 0))
    with app.app_context():
        item = make_disclosure(State.DRAFT, title=TITLE, cadence=Cadence.STAGED,
                               result_date=date(2026, 9, 26), author=user("office"))
        db.session.commit()
        item_id = item.id
    frozen_clock(datetime(2026, 10, 9, 9, 0))  # due Oct 3, a holiday: moved to Oct 8

    sign_in(page, live_server.url, "office")
    page.get_by_role("link", name="我的待办").click()
    page.wait_for_url(re.compile(r".*/duties$"))
    row = page.locator("#overdue-duties tr.duty-row", has_text=TITLE)
    assert "已逾期 1 天" in row.inner_text()
    assert "顺延" in row.inner_text() and "2026-10-08" in row.inner_text()
    row.get_by_role("link", name=TITLE).click()
    page.wait_for_url(re.compile(rf".*/office/items/{item_id}$"))
    assert TITLE in page.locator("h1").inner_text()
