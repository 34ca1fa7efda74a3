"""Return reasons and review comments are internal (design.md): the public sees that an item
was reviewed, by whom and when (审核记录), never what a reviewer wrote. A canary written in a
return reason and in an approval's comment is looked for in every anonymous answer."""
from __future__ import annotations

from datetime import datetime

from dwgk.accounts.models import Role
from dwgk.disclosures import services
from dwgk.disclosures.models import Decision, State
from dwgk.extensions import db
from tests.boards.test_board_lists import APPROVE
from tests.factories import make_category, make_disclosure, make_user
from tests.support import text_of

RETURN_CANARY = "退回金丝雀QX7"
COMMENT_CANARY = "审核意见金丝雀QX8"


def _reviewed_item():
    author = make_user(Role.OFFICE, Role.MEMBER, display_name="王办公")
    reviewer = make_user(Role.REVIEWER, Role.MEMBER, display_name="李审核")
    item = make_disclosure(State.IN_REVIEW, title="金丝雀测试事项 审核", body="金丝雀测试正文。",
                           category=make_category("组织建设"), author=author)
    services.review(item, services.ReviewInput(decision=Decision.RETURN,
                                               reason=f"{RETURN_CANARY}，请补充"),
                    reviewer=reviewer)
    services.submit(item, actor=author)
    services.review(item, services.ReviewInput(**{**APPROVE, "reason": COMMENT_CANARY}),
                    reviewer=reviewer)
    services.publish(item, actor=author)
    db.session.commit()
    return item.id


def _anonymous_get_urls(app, item_id):
    from flask import url_for  # noqa: F401  (built by the rules themselves)
    urls = []
    values = {"disclosure_id": item_id, "number": 1, "slug": "default"}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in rule.methods:
            continue
        if any(name not in values for name in rule.arguments):
            continue
        urls.append(rule.build({name: values[name] for name in rule.arguments},
                               append_unknown=False)[1])
    return urls


def test_no_review_remark_reaches_any_anonymous_answer(app, client, frozen_clock):
    frozen_clock(datetime(2026, 3, 2, 15, 20))
    with app.app_context():
        item_id = _reviewed_item()
    urls = _anonymous_get_urls(app, item_id)
    urls += ["/?q=金丝雀测试", "/members?q=金丝雀测试"]
    urls += ["/kiosk/default/content", "/catalog", f"/items/{item_id}/print",
             f"/items/{item_id}/revisions/1", "/feedback/lookup"]
    checked = 0
    for url in urls:
        response = client.get(url, buffered=True)
        body = response.get_data(as_text=True)
        assert RETURN_CANARY not in body and COMMENT_CANARY not in body, url
        checked += response.status_code == 200
    assert checked >= 8
    for canary in (RETURN_CANARY, COMMENT_CANARY):  # the search does not index them either
        assert "金丝雀测试事项" not in text_of(client.get(f"/?q={canary}"))
    assert "金丝雀测试事项" in text_of(client.get("/?q=金丝雀测试"))
    page = text_of(client.get(f"/items/{item_id}"))
    assert "李审核" in page and "2026-03-02 15:20" in page and "同意公开" in page


def test_insiders_read_the_remarks(app, login_as, frozen_clock):
    frozen_clock(datetime(2026, 3, 2, 15, 20))
    with app.app_context():
        item_id = _reviewed_item()
    page = text_of(login_as("member").get(f"/items/{item_id}"))
    assert COMMENT_CANARY in page
    office = text_of(login_as("office").get(f"/office/items/{item_id}"))
    assert RETURN_CANARY in office and COMMENT_CANARY in office
