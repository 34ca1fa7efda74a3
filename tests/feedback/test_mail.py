"""The reply by e-mail, through a real SMTP server (aiosmtpd) and a real Redis with an RQ
worker: owed in the reply's commit, sent by the worker's job; sent at once when Redis is
down; and when neither works, owed still and sent by the next sweep. The outbox itself: a
refusal ends a message, an unreachable server does not; stale and done mail goes."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import redis
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from rq import Queue, SimpleWorker

from dwgk import jobs
from dwgk.accounts.models import Role
from dwgk.core import mail
from dwgk.core.models import OutgoingMail
from dwgk.extensions import db
from dwgk.feedback.models import Feedback, FeedbackStatus
from dwgk.reminders.sweep import sweep_commit_and_mail
from tests.factories import DEFAULT_PASSWORD, make_disclosure, make_user
from tests.feedback import CANARY_EMAIL, CANARY_NAME, CANARY_PHONE, file_committed, version_of
from tests.support import free_port, text_of

REPLY = "您好，已按您的建议补充公示名单，感谢监督。"


def _smtp_config(smtp_server, **more):
    return {"DWGK_SMTP_HOST": "127.0.0.1", "DWGK_SMTP_PORT": smtp_server.port,
            "DWGK_SMTP_FROM": "dwgk@school.example.cn",
            "DWGK_PUBLIC_URL": "http://dwgk.school.lan", **more}


def _reply(app, client, feedback_id, method="email"):
    client.refresh_csrf()
    return client.form_post(f"/office/feedback/{feedback_id}/reply", {
        "version_id": version_of(app, feedback_id), "reply_text": REPLY,
        "reply_method": method, "reply_date": "2026-11-23"}, follow_redirects=True)


def _app_with_office(make_app, **config):
    """An app (with `config`) and one office user, `office`."""
    app = make_app(**config)
    with app.app_context():
        make_user(Role.OFFICE, username="office")
        db.session.commit()
    return app


def _office_client(app):
    client = app.test_client()
    assert client.login("office", DEFAULT_PASSWORD).status_code == 302
    return client


@pytest.fixture
def frozen(frozen_clock):
    frozen_clock(datetime(2026, 11, 23, 9, 0))


def _queue(redis_server) -> Queue:
    return Queue("dwgk", connection=redis.Redis.from_url(redis_server.url))


def test_the_reply_is_queued_after_the_commit_and_the_worker_mails_it(
        make_app, redis_server, smtp_env, frozen):
    app = _app_with_office(make_app, **_smtp_config(smtp_env))
    with app.app_context():
        item = make_disclosure(title="关于党费收缴情况的公示")
        db.session.commit()
        item_id = item.id
    feedback_id, code = file_committed(app, item_id)
    client = _office_client(app)
    response = _reply(app, client, feedback_id)
    assert "答复已记录。" in text_of(response) and "答复邮件已交由系统发送。" in text_of(response)

    queue = _queue(redis_server)
    assert queue.count == 1 and smtp_env.messages == []  # queued, not sent by the request
    job = queue.jobs[0]
    assert job.func_name == mail.JOB and job.args == () and job.kwargs == {}  # nothing personal

    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert len(smtp_env.messages) == 1
    sender, recipients, message = smtp_env.messages[0]
    assert recipients == [CANARY_EMAIL] and sender == "dwgk@school.example.cn"
    assert message["Subject"] == "示例学校党支部党务公开：对您所提意见建议的答复"
    body = message.get_content()
    assert REPLY in body and "关于党费收缴情况的公示" in body and "2026-11-23" in body
    assert "http://dwgk.school.lan/feedback/lookup" in body
    assert code not in body and code.replace("-", "") not in body  # it was given once
    assert CANARY_PHONE not in body
    assert message.get_content_charset() == "utf-8"
    assert queue.count == 0 and queue.failed_job_registry.count == 0


def test_without_smtp_nothing_is_queued_and_the_office_is_told(make_app, redis_server, frozen):
    app = _app_with_office(make_app)
    with app.app_context():
        assert not mail.is_configured()
    feedback_id, _ = file_committed(app)
    response = _reply(app, _office_client(app), feedback_id)
    html = text_of(response)
    assert "答复已记录。" in html and "本系统未配置邮件服务器，答复邮件没有自动发送" in html
    assert _queue(redis_server).count == 0
    with app.app_context():
        assert db.session.get(Feedback, feedback_id).status == FeedbackStatus.ANSWERED


def test_a_reply_by_phone_is_not_mailed(make_app, redis_server, smtp_env, frozen):
    app = _app_with_office(make_app, **_smtp_config(smtp_env))
    feedback_id, _ = file_committed(app)
    html = text_of(_reply(app, _office_client(app), feedback_id, method="phone"))
    assert "答复已记录。" in html and "邮件" not in html.split('class="flashes"')[1].split("</div>")[0]
    assert _queue(redis_server).count == 0


def test_with_redis_down_the_reply_is_sent_at_once(make_app, smtp_env, frozen, app_logs):
    app = _app_with_office(make_app, **_smtp_config(
        smtp_env, DWGK_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"))
    feedback_id, _ = file_committed(app)
    html = text_of(_reply(app, _office_client(app), feedback_id))
    assert "答复邮件已发送。" in html
    assert len(smtp_env.messages) == 1 and smtp_env.messages[0][1] == [CANARY_EMAIL]
    assert "could not wake the worker" in app_logs.text and CANARY_EMAIL not in app_logs.text
    with app.app_context():  # sent: no sweep sends it again
        assert sweep_commit_and_mail().mailed == 0
    assert len(smtp_env.messages) == 1


def test_with_redis_and_smtp_down_the_reply_stays_owed_and_a_sweep_sends_it(
        make_app, smtp_server, frozen, app_logs):
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"
    app = _app_with_office(make_app, DWGK_SMTP_HOST="127.0.0.1", DWGK_SMTP_PORT=free_port(),
                           DWGK_REDIS_URL=dead_redis)
    feedback_id, _ = file_committed(app)
    response = _reply(app, _office_client(app), feedback_id)
    html = text_of(response)
    assert response.status_code == 200
    assert "答复已记录。" in html and "答复邮件暂未发出" in html and "自动补发" in html
    assert "cannot be reached" in app_logs.text
    for secret in (CANARY_EMAIL, CANARY_NAME, REPLY):
        assert secret not in app_logs.text
    with app.app_context():
        assert db.session.get(Feedback, feedback_id).reply_text == REPLY
        assert mail.owed_count() == 1

    # The SMTP server is back (Redis still down): the next reminder sweep sends the reply.
    back = make_app(**_smtp_config(smtp_server, DWGK_REDIS_URL=dead_redis))
    with back.app_context():
        assert sweep_commit_and_mail().mailed == 1
        assert sweep_commit_and_mail().mailed == 0
    assert [recipients for _s, recipients, _m in smtp_server.messages] == [[CANARY_EMAIL]]
    assert REPLY in smtp_server.messages[0][2].get_content()


def _owe(app, to="someone@example.cn"):
    with app.app_context():
        mail_id = mail.owe(to, "主题", "正文", purpose="test", keep_trying=timedelta(days=1)).id
        db.session.commit()
        return mail_id


def test_an_unreachable_server_leaves_the_mail_owed_and_a_refusal_ends_it(make_app, frozen):
    class Refusing:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            return "550 5.1.1 no such user"

    app = make_app(DWGK_SMTP_HOST="127.0.0.1", DWGK_SMTP_PORT=free_port(),
                   DWGK_SMTP_FROM="dwgk@school.example.cn")
    mail_id = _owe(app)
    with app.app_context():
        result = mail.send_owed()
        assert (result.sent, result.refused, result.deferred) == (0, 0, True)
        row = db.session.get(OutgoingMail, mail_id)
        assert row.attempts == 1 and row.claimed_until is None and row.sent_at is None
        assert mail.owed_count() == 1

    controller = Controller(Refusing(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        app.config["DWGK_SMTP_PORT"] = controller.port
        with app.app_context():
            result = mail.send_owed()
            assert (result.sent, result.refused, result.deferred) == (0, 1, False)
            assert db.session.get(OutgoingMail, mail_id).failed_at is not None
            assert mail.owed_count() == 0 and mail.send_owed().refused == 0  # not again
    finally:
        controller.stop()


def test_mail_not_sent_within_its_window_is_given_up_and_done_mail_is_deleted(
        make_app, smtp_server, frozen_clock):
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    app = make_app(**_smtp_config(smtp_server))
    stale, sent = _owe(app), _owe(app, "other@example.cn")
    with app.app_context():
        assert mail.send_owed([sent]).sent == 1
    frozen_clock(datetime(2026, 11, 24, 9, 1))  # a day and a minute later
    with app.app_context():
        assert mail.owed_count() == 0 and mail.send_owed().sent == 0
    frozen_clock(datetime(2026, 12, 25, 9, 0))  # 30 days after: both gone
    with app.app_context():
        mail.send_owed()
        assert db.session.get(OutgoingMail, stale) is None
        assert db.session.get(OutgoingMail, sent) is None
    assert len(smtp_server.messages) == 1


def test_the_job_refuses_to_run_without_smtp_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("DWGK_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DWGK_SECRET_KEY", "worker-secret")
    with pytest.raises(RuntimeError, match="DWGK_SMTP_HOST"):
        jobs.send_mail("someone@example.cn", "主题", "正文")


def test_send_now_logs_in_when_a_user_is_set(smtp_server):
    received = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        received.append((mechanism, auth_data.login, auth_data.password))
        return AuthResult(success=True)

    controller = Controller(smtp_server, hostname="127.0.0.1", port=free_port(),
                            authenticator=authenticator, auth_require_tls=False)
    controller.start()
    try:
        config = {"DWGK_SMTP_HOST": "127.0.0.1", "DWGK_SMTP_PORT": controller.port,
                  "DWGK_SMTP_USER": "dwgk", "DWGK_SMTP_PASSWORD": "s3cret",
                  "DWGK_SMTP_FROM": "dwgk@school.example.cn", "DWGK_SMTP_SECURITY": "none"}
        message = mail.build_message("王老师 <wang@example.cn>", "中文主题：答复", "正文：您好。", config)
        mail.send_now(message, config)
    finally:
        controller.stop()
    assert received and received[0][1:] == (b"dwgk", b"s3cret")
    _, recipients, arrived = smtp_server.messages[0]
    assert recipients == ["wang@example.cn"]
    assert arrived["Subject"] == "中文主题：答复" and arrived.get_content().strip() == "正文：您好。"
