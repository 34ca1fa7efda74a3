"""The page's chrome that depends on the reader: the main menu, the calendar warning, and
the policy rules every template may ask."""
from __future__ import annotations

from flask import Flask, request, url_for
from flask_login import current_user

from dwgk import policy
from dwgk.core import clock, workdays

# (endpoint, label, rule): an entry shows only when its rule allows the current user.
NAVIGATION = [
    ("boards.public", "社会公开栏", lambda user: True),
    ("boards.members", "党内公开栏", policy.can_read_member_board),
    ("catalog.index", "公开目录", lambda user: True),
    ("feedback.new", "意见建议", lambda user: True),
    ("disclosures.index", "事项管理", policy.can_see_work_in_progress),
    ("review.queue", "审核", policy.can_use_review_queue),
    ("feedback.inbox", "意见办理", policy.can_handle_feedback),
    ("supervision.office_list", "监督意见答复", policy.can_answer_supervision),
    ("supervision.inbox", "监督", policy.can_supervise),
    ("admin.users", "用户管理", policy.can_manage_users),
    ("admin.audit", "操作记录", policy.can_read_audit_log),
    ("workdays.index", "节假日调整", policy.can_manage_calendar),
    ("admin.settings", "单位设置", policy.can_manage_settings),
    ("kiosk.admin_list", "公开栏屏幕", policy.can_manage_kiosk),
    # --- duties and failed jobs (issue 5) ---
    ("duties.index", "我的待办", policy.can_see_duties),
    ("jobs.index", "后台任务", policy.can_manage_jobs),
    # --- dashboard, ledger and report (issue 7) ---
    ("reporting.dashboard", "工作台", policy.can_view_dashboard),
    ("reporting.ledger_index", "台账", policy.can_read_ledger),
    ("report.index", "专题报告", policy.can_read_summary_report),
]


def navigation() -> list[tuple[str, str, str]]:
    """The menu for the current reader: (link, label, endpoint) of each entry its rule allows."""
    user = current_user._get_current_object()
    return [(url_for(endpoint), label, endpoint) for endpoint, label, rule in NAVIGATION
            if rule(user)]


# The public boards and the notice-board screen are not office pages: no warning there.
_NO_CALENDAR_WARNING = {"boards", "kiosk"}


def calendar_warning() -> dict | None:
    """From 1 November, on the office's and the admin's pages, while next year is in
    neither the built-in calendar nor the overrides: {"year", "text", "can_fix"}."""
    user = current_user._get_current_object()
    if request.blueprint in _NO_CALENDAR_WARNING or not policy.can_see_calendar_warning(user):
        return None
    year = workdays.next_year_missing(clock.today())
    if year is None:
        return None
    return {"year": year, "text": workdays.next_year_warning(year),
            "can_fix": policy.can_manage_calendar(user)}


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(policy=policy, navigation=navigation,
                                 calendar_warning=calendar_warning)
