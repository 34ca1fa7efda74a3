"""Published handling results (处理结果) on the item's page: only the published ones, without
the filer, in one query however many there are."""
from __future__ import annotations

import re
from datetime import date, datetime

from dwgk.accounts.models import Role
from dwgk.extensions import db
from dwgk.feedback import queries, services
from dwgk.feedback.models import FeedbackKind, ReplyMethod
from tests.factories import make_disclosure, make_user
from tests.feedback import CANARIES, file
from tests.support import QueryCounter, text_of


def _publish(item_id, count, *, start=0):
    office = make_user(Role.OFFICE)
    for number in range(start, start + count):
        feedback, _ = file(item_id, kind=FeedbackKind.REPORT if number % 2 else FeedbackKind.OPINION)
        services.reply(feedback, "已答复。", ReplyMethod.PHONE, date(2026, 11, 23), actor=office)
        services.publish_result(feedback, f"处理结果第{number}条。", actor=office)
    db.session.commit()


def test_only_published_results_show_oldest_first_without_the_filer(app, client, frozen_clock):
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    with app.app_context():
        item = make_disclosure(title="关于党费收缴情况的公示")
        other = make_disclosure(title="另一事项")
        _publish(item.id, 2)
        _publish(other.id, 1, start=7)
        unpublished, _ = file(item.id, body="尚未答复的意见")
        db.session.commit()
        item_id = item.id
        results = queries.published_results(item_id)
    assert [r.result_text for r in results] == ["处理结果第0条。", "处理结果第1条。"]
    html = text_of(client.get(f"/items/{item_id}"))
    section = re.search(r'<section class="feedback-results".*?</section>', html, re.S).group(0)
    assert "意见处理结果" in section and "意见建议" in section and "举报" in section
    assert section.index("处理结果第0条。") < section.index("处理结果第1条。")
    assert "处理结果第7条。" not in section and "尚未答复的意见" not in html
    assert "2026-11-23 收到" in section
    assert not [canary for canary in CANARIES if canary in html]
    # The section sits after the review record.
    assert html.index('class="review-record"') < html.index('class="feedback-results"')


def test_the_results_cost_one_query_however_many(make_app, frozen_clock):
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    app = make_app(DWGK_PAGE_CACHE_ENTRIES=0)  # count what rendering the page costs, not a cache hit
    client = app.test_client()
    with app.app_context():
        item = make_disclosure()
        db.session.commit()
        item_id = item.id
    client.get(f"/items/{item_id}")
    with QueryCounter(app) as none:
        client.get(f"/items/{item_id}")
    with app.app_context():
        _publish(item_id, 1)
    with QueryCounter(app) as one:
        client.get(f"/items/{item_id}")
    with app.app_context():
        _publish(item_id, 9, start=1)
    with QueryCounter(app) as ten:
        assert text_of(client.get(f"/items/{item_id}")).count("处理结果第") == 10
    assert none.count == one.count == ten.count
    assert sum("FROM feedback" in statement for statement in ten.statements) == 1
