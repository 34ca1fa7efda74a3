"""/admin/jobs: the failed jobs of the "dwgk" queue (a real Redis, a burst worker), retried
or deleted by the admin, on record; and a plain answer when Redis is down."""
from __future__ import annotations

import re
from datetime import timedelta

import redis
from rq import Queue, SimpleWorker
from sqlalchemy import select

from dwgk.core.audit import AuditEvent
from dwgk.core import mail
from dwgk.extensions import db
from tests.support import free_port, text_of

ADDRESS = "someone@example.cn"


def _failed_mail_job(app, redis_server, monkeypatch, tmp_path):
    """A mail job that failed in a burst worker: the worker has no SMTP settings."""
    monkeypatch.setenv("DWGK_INSTANCE_PATH", str(tmp_path / "worker-instance"))
    monkeypatch.setenv("DWGK_SECRET_KEY", "worker-secret")
    monkeypatch.setenv("DWGK_DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    with app.app_context():
        mail.owe(ADDRESS, "主题", "正文：请于本周内答复。", purpose="test",
                 keep_trying=timedelta(days=1))
        db.session.commit()
    queue = Queue("dwgk", connection=redis.Redis.from_url(redis_server.url))
    job = queue.enqueue(mail.JOB, description=mail.JOB)
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert job.get_status() == "failed"
    return queue, job


def _audit(app):
    with app.app_context():
        return list(db.session.execute(
            select(AuditEvent.action, AuditEvent.object_id, AuditEvent.summary)
            .where(AuditEvent.action.like("job.%")).order_by(AuditEvent.id)))


def test_a_failed_job_is_listed_and_retrying_it_makes_it_run(
        app, users, login_as, redis_server, smtp_server, monkeypatch, tmp_path):
    queue, job = _failed_mail_job(app, redis_server, monkeypatch, tmp_path)
    admin = login_as("admin")
    html = text_of(admin.get("/admin/jobs"))
    row = re.search(rf'<tr id="job-{job.id}">.*?</tr>', html, re.S).group(0)
    assert "发送电子邮件" in row and "RuntimeError: DWGK_SMTP_HOST is not set" in row
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", row)  # when it was queued and failed
    assert ADDRESS not in html and "请于本周内答复" not in html  # a job's arguments never show
    assert "失败：<strong>1</strong>" in html and "排队等待：<strong>0</strong>" in html

    # the admin fixes the worker's settings, then retries
    monkeypatch.setenv("DWGK_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("DWGK_SMTP_PORT", str(smtp_server.port))
    response = admin.form_post(f"/admin/jobs/{job.id}/retry", follow_redirects=True)
    assert "已重新排队：发送电子邮件" in text_of(response)
    assert "排队等待：<strong>1</strong>" in text_of(response)
    assert queue.count == 1 and queue.failed_job_registry.count == 0
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert [recipients for _s, recipients, _m in smtp_server.messages] == [[ADDRESS]]
    assert "没有失败的后台任务" in text_of(admin.get("/admin/jobs"))
    assert _audit(app) == [("job.retry", job.id, "重试后台任务：发送电子邮件")]

    # once retried it is no longer there to retry
    response = admin.form_post(f"/admin/jobs/{job.id}/retry", follow_redirects=True)
    assert "该任务已不在失败列表中" in text_of(response)


def test_a_failed_job_can_be_deleted(app, users, login_as, redis_server, monkeypatch, tmp_path):
    queue, job = _failed_mail_job(app, redis_server, monkeypatch, tmp_path)
    admin = login_as("admin")
    response = admin.form_post(f"/admin/jobs/{job.id}/delete", follow_redirects=True)
    assert "已删除失败的任务：发送电子邮件" in text_of(response)
    assert queue.failed_job_registry.count == 0 and queue.count == 0
    assert not queue.connection.exists(job.key)
    assert _audit(app) == [("job.delete", job.id, "删除失败的后台任务：发送电子邮件")]
    # not the admin's: refused
    assert login_as("office").form_post(f"/admin/jobs/{job.id}/delete").status_code == 403


def test_addresses_in_an_error_are_hidden():
    from dwgk.admin.jobs import _last_line

    error = ("Traceback (most recent call last):\n  ...\nsmtplib.SMTPRecipientsRefused: "
             "{'wang@school.example.cn': (550, b'5.1.1 <wang@school.example.cn> unknown')}\n")
    line = _last_line(error)
    assert line.startswith("smtplib.SMTPRecipientsRefused") and "@" not in line


def test_with_redis_down_the_page_still_answers(make_app, users):
    app = make_app(DWGK_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    client = app.test_client()
    assert client.login("admin", "correct-horse-42").status_code == 302
    response = client.get("/admin/jobs")
    assert response.status_code == 200
    assert "后台任务服务（Redis）暂时无法连接" in text_of(response)
