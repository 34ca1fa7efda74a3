"""Canaries: a named filing's name, phone and e-mail appear on the office's page for that
filing and nowhere else — not on any other page for any role (the boards, the item page with
its published result, the lookup, the slip, the audit log, the supervision inbox…), nor in
the application's log, the mail worker's included."""
from __future__ import annotations

from datetime import datetime

import redis
from rq import Queue, SimpleWorker
from sqlalchemy import select

from dwgk.extensions import db
from dwgk.feedback.models import Feedback
from tests.factories import make_disclosure
from tests.feedback import CANARIES, CANARY_EMAIL, CANARY_NAME, CANARY_PHONE, code_on, version_of
from tests.support import readable_text, text_of

WHO = ["anonymous", "member", "office", "reviewer", "supervisor", "admin", "nobody"]
# The office's own views of a filing: its page, and the ledger's feedback tab and exports.
OFFICE_SEES_THE_FILER = {"feedback.detail", "reporting.ledger_feedback",
                         "reporting.ledger_feedback_csv", "reporting.ledger_feedback_xlsx"}


def _leaks(html: str) -> list[str]:
    return [canary for canary in CANARIES if canary in html]


def _get_routes(app, ids):
    """Every GET route, built with the test's ids (1 for any other)."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in rule.methods:
            continue
        values = {name: ids.get(name, 1) for name in rule.arguments}
        values.update({"filename": "x.pdf"} if "filename" in rule.arguments else {})
        yield rule.endpoint, rule.build(values, append_unknown=False)[1]


def test_the_filers_details_appear_only_on_the_offices_page(
        app, users, login_as, redis_server, smtp_env, app_logs, frozen_clock):
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    app.config.update(DWGK_SMTP_HOST="127.0.0.1", DWGK_SMTP_PORT=smtp_env.port,
                      DWGK_SMTP_FROM="dwgk@school.example.cn",
                      DWGK_PUBLIC_URL="http://dwgk.school.lan")
    with app.app_context():
        item = make_disclosure(title="关于党费收缴情况的公示")
        db.session.commit()
        item_id = item.id

    # The public files a named opinion on the item, through the form.
    public = app.test_client()
    public.refresh_csrf()
    response = public.form_post("/feedback/new", {
        "kind": "opinion", "identity": "named", "disclosure_id": item_id,
        "body": "建议公示名单按姓氏笔画排序。", "filer_name": CANARY_NAME,
        "filer_phone": CANARY_PHONE, "filer_email": CANARY_EMAIL, "website": ""})
    assert response.status_code == 302
    slip = text_of(public.get("/feedback/slip"))
    code = code_on(slip)
    assert code and not _leaks(slip)
    with app.app_context():
        feedback_id = db.session.scalar(select(Feedback.id))

    # The office sees who it was, assigns, replies by e-mail and publishes the result.
    office = login_as("office")
    url = f"/office/feedback/{feedback_id}"
    page = text_of(office.get(url))
    assert all(canary in page for canary in CANARIES)
    office.refresh_csrf()
    assert office.form_post(f"{url}/assign", {"version_id": version_of(app, feedback_id),
                                              "assignee_id": users["office"]}).status_code == 302
    assert office.form_post(f"{url}/reply", {
        "version_id": version_of(app, feedback_id), "reply_text": "已按建议调整排序。",
        "reply_method": "email", "reply_date": "2026-11-23"}).status_code == 302
    assert office.form_post(f"{url}/publish-result", {
        "version_id": version_of(app, feedback_id),
        "result_text": "经研究，公示名单已按姓氏笔画排序。"}).status_code == 302
    queue = Queue("dwgk", connection=redis.Redis.from_url(redis_server.url))
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert [message[1] for message in smtp_env.messages] == [[CANARY_EMAIL]]

    # The lookup shows the reply, not the person; the item page the result, not the person.
    public.refresh_csrf()
    lookup = text_of(public.form_post("/feedback/lookup", {"code": code}))
    assert "已按建议调整排序。" in lookup and not _leaks(lookup)
    item_page = text_of(public.get(f"/items/{item_id}"))
    assert "经研究，公示名单已按姓氏笔画排序。" in item_page and not _leaks(item_page)

    # Every page, for every role: only the office's page of the filing names the filer.
    ids = {"disclosure_id": item_id, "feedback_id": feedback_id, "user_id": users["member"]}
    checked, leaks = set(), []
    for who in WHO:
        client = login_as(who)
        for endpoint, path in _get_routes(app, ids):
            response = client.get(path, buffered=True)
            checked.add(endpoint)
            found = _leaks(readable_text(response))
            if found and not (who == "office" and endpoint in OFFICE_SEES_THE_FILER):
                leaks.append(f"{who} {path}: {found}")
    assert not leaks, "\n".join(leaks)
    assert {"boards.public", "boards.members", "boards.item", "feedback.lookup", "feedback.slip",
            "feedback.inbox", "admin.audit"} <= checked
    if "supervision.inbox" in app.view_functions:
        assert "supervision.inbox" in checked
        assert login_as("supervisor").get("/supervision").status_code == 200

    # Nor does the application's log, the worker's included.
    assert "dwgk.jobs.send_owed_mail" in app_logs.text  # the worker's log was captured
    assert not _leaks(app_logs.text), app_logs.text
