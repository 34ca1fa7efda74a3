"""Background jobs for admins: the failed ones, and retrying them.

The page reads rq's registries of the "dwgk" queue. A job's arguments are never shown (a
mail job carries an address and a message), and addresses in an error message are hidden.
If Redis is down the page says so and still answers 200: the web app never fails for it.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime

import redis
from flask import Blueprint, flash, redirect, url_for
from rq import Queue
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry
from rq.results import Result

from dwgk import policy
from dwgk.core.audit import record
from dwgk.extensions import db, get_queue
from dwgk.web.forms import BaseForm
from dwgk.web.render import render

log = logging.getLogger(__name__)

bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs")

REDIS_DOWN = "后台任务服务（Redis）暂时无法连接，暂时无法查看或重试后台任务。网站的其他功能不受影响。"
SHOWN = 100  # the most recent failed jobs shown

# What each job does, in words an admin reads; others are shown by their function name.
JOB_LABELS = {
    "dwgk.jobs.housekeeping": "到期提醒检查与公示期满归档",
    "dwgk.jobs.send_owed_mail": "发送电子邮件",
    "dwgk.jobs.send_mail": "发送电子邮件（升级前排队的任务）",
}
_ADDRESS = re.compile(r"[^\s'\"<>(),:;\[\]{}]+@[^\s'\"<>(),:;\[\]{}]+")


@dataclass(frozen=True)
class FailedJob:
    id: str
    label: str
    enqueued_at: datetime | None
    ended_at: datetime | None
    error: str  # the exception's last line, addresses hidden
    attempts: int  # how many times it ran and failed (1 + automatic retries)


@dataclass(frozen=True)
class JobsOverview:
    failed: list[FailedJob]
    failed_total: int
    queued: int
    scheduled: int


def job_label(func_name: str | None) -> str:
    return JOB_LABELS.get(func_name or "", func_name or "（未知任务）")


def _last_line(text: str | None) -> str:
    lines = [line.strip() for line in (text or "").strip().splitlines() if line.strip()]
    return _ADDRESS.sub("（邮箱地址已隐去）", lines[-1])[:300] if lines else ""


def _failed_job(job: Job) -> FailedJob:
    results = job.results()  # newest first
    failures = [result for result in results if result.type == Result.Type.FAILED]
    error = failures[0].exc_string if failures else None
    return FailedJob(job.id, job_label(job.func_name), job.enqueued_at, job.ended_at,
                     _last_line(error), max(len(failures), 1))


def overview(queue: Queue) -> JobsOverview:
    """The failed jobs (newest first), and how many are waiting. Raises redis.RedisError."""
    registry = FailedJobRegistry(queue=queue)
    ids = registry.get_job_ids(0, SHOWN - 1, desc=True)
    jobs = [job for job in Job.fetch_many(ids, connection=queue.connection) if job is not None]
    return JobsOverview(failed=[_failed_job(job) for job in jobs], failed_total=registry.count,
                        queued=queue.count, scheduled=ScheduledJobRegistry(queue=queue).count)


class JobActionForm(BaseForm):
    """A retry or delete button: the CSRF token only."""


@bp.get("")
@policy.require(policy.can_manage_jobs)
def index():
    try:
        jobs, redis_down = overview(get_queue()), False
    except redis.RedisError as exc:
        log.warning("admin jobs: Redis unreachable (%s)", type(exc).__name__)
        jobs, redis_down = None, True
    return render("admin/jobs.html", jobs=jobs, redis_down=redis_down, redis_down_text=REDIS_DOWN)


def _act(job_id: str, action):
    form = JobActionForm()
    if not form.validate_on_submit():
        flash("表单已过期，请重试。", "error")
        return redirect(url_for("jobs.index"))
    queue = get_queue()
    registry = FailedJobRegistry(queue=queue)
    try:
        if job_id not in registry:
            flash("该任务已不在失败列表中（可能已被重试、删除或过期）。", "error")
            return redirect(url_for("jobs.index"))
        job = Job.fetch(job_id, connection=queue.connection)
        label = job_label(job.func_name)
        message = action(registry, job, label)
    except (NoSuchJobError, InvalidJobOperation):
        flash("该任务已不在失败列表中（可能已被重试、删除或过期）。", "error")
        return redirect(url_for("jobs.index"))
    except redis.RedisError:
        flash(REDIS_DOWN, "error")
        return redirect(url_for("jobs.index"))
    db.session.commit()  # the audit event
    flash(message, "success")
    return redirect(url_for("jobs.index"))


@bp.post("/<job_id>/retry")
@policy.require(policy.can_manage_jobs)
def retry(job_id: str):
    def action(registry, job, label):
        registry.requeue(job)
        record("job.retry", object_type="rq_job", object_id=job.id, summary=f"重试后台任务：{label}")
        return f"已重新排队：{label}。后台任务进程会尽快执行。"

    return _act(job_id, action)


@bp.post("/<job_id>/delete")
@policy.require(policy.can_manage_jobs)
def delete(job_id: str):
    def action(registry, job, label):
        registry.remove(job, delete_job=True)
        record("job.delete", object_type="rq_job", object_id=job.id, summary=f"删除失败的后台任务：{label}")
        return f"已删除失败的任务：{label}。"

    return _act(job_id, action)
