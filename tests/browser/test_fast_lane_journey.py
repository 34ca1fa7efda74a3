"""In a real browser, pages answered by the fast lane (dwgk/web/fastlane.py) work as Flask's
do: a new visitor's CSRF token and cookie from a kept public page carry a form, and a member's
kept board signs them out with the token put in for them."""
from __future__ import annotations

import re

import pytest

from dwgk.accounts.models import Role
from dwgk.extensions import db
from tests.browser.conftest import sign_in
from tests.factories import make_disclosure, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def lane_calls(app):
    """Paths the fast lane answered itself (it raises _NotHere for the others)."""
    from dwgk.web import fastlane

    lane = app.wsgi_app
    while not isinstance(lane, fastlane.FastLane):
        lane = lane.wsgi_app
    answered = []
    original = lane.answer

    def answer(environ):
        result = original(environ)
        answered.append(environ["PATH_INFO"])
        return result

    lane.answer = answer
    return answered


def test_kept_pages_carry_forms_in_a_browser(app, live_server, page, lane_calls):
    with app.app_context():
        make_user(Role.MEMBER, username="liu", display_name="刘洋")
        make_disclosure(title="支部换届选举结果公示", body="选举结果如下。")
        db.session.commit()
    base = live_server.url
    page.goto(base + "/")  # rendered by Flask and kept
    page.context.clear_cookies()
    page.goto(base + "/")  # a new visitor: answered by the lane, with a new session cookie
    assert lane_calls == ["/"]
    assert page.get_by_role("link", name="支部换届选举结果公示").is_visible()
    cookies = {cookie["name"] for cookie in page.context.cookies()}
    assert "dwgk_session" in cookies

    # The lane's token is good for that visitor: look up a reply from the board's page head.
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    answer = page.request.post(base + "/feedback/lookup",
                               form={"csrf_token": token, "code": "ABCD-EFGH-JKLM"})
    assert answer.status != 400 and "CSRF" not in answer.text()

    sign_in(page, base, "liu")  # the member board, rendered and kept
    page.goto(base + "/members")  # answered by the lane
    assert lane_calls[-1] == "/members"
    assert page.locator(".account .who").inner_text() == "刘洋"
    page.get_by_role("button", name="退出").click()  # the token the lane put in
    page.wait_for_url(re.compile(r".*/(login)?$"))
    page.goto(base + "/members")
    page.wait_for_url(re.compile(r".*/login.*"))
