"""What every template may use: the policy rules, the navigation, date formatting."""
from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app, request, url_for
from flask_babel import format_datetime
from flask_login import current_user

from dwgk import policy

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


class NeedsTheUser(Exception):
    """A navigation rule asked for more than the reader's roles."""


class RolesOnly:
    """What the navigation's rules may see of the reader when their answer is kept per role
    set: signed in or not, and the roles. A rule that asks for anything else gets
    NeedsTheUser, and the menu is then worked out for each request (never a guess)."""

    def __init__(self, signed_in: bool, roles: frozenset):
        self.is_authenticated = signed_in
        self.is_anonymous = not signed_in
        self.roles = set(roles)

    def has_role(self, *roles) -> bool:
        return bool(self.roles.intersection(roles))

    def __getattr__(self, name):
        raise NeedsTheUser(name)


def _entries(user) -> list[tuple[str, str, str]]:
    return [(url_for(endpoint), label, endpoint) for endpoint, label, rule in NAVIGATION
            if rule(user)]


def navigation():
    """The menu for the current reader: each entry whose rule allows them. The rules look at
    the roles only, so the menu is kept per role set (and the site's root path, which the
    links start with); never anything of one user."""
    user = current_user._get_current_object()
    signed_in = bool(user is not None and user.is_authenticated)
    roles = frozenset(user.roles) if signed_in else frozenset()
    key = (signed_in, roles, request.script_root)
    kept = current_app.extensions.setdefault("dwgk_navigation", {})
    entries = kept.get(key)
    if entries is None:
        try:
            entries = _entries(RolesOnly(signed_in, roles))
        except NeedsTheUser:
            return _entries(user)
        if len(kept) >= 256:  # the root path may come from a header: stay bounded
            kept.clear()
        kept[key] = entries
    return entries


# Their pages are kept for every reader of a role set (dwgk/web/cache.py): no warning there.
_NO_CALENDAR_WARNING = {"boards", "kiosk"}


def calendar_warning() -> dict | None:
    """From 1 November, on the office's and the admin's pages, while next year is in
    neither the built-in calendar nor the overrides: {"year", "text", "can_fix"}."""
    user = current_user._get_current_object()
    if request.blueprint in _NO_CALENDAR_WARNING or not policy.can_see_calendar_warning(user):
        return None
    from dwgk.core import clock, workdays

    year = workdays.next_year_missing(clock.today())
    if year is None:
        return None
    return {"year": year, "text": workdays.next_year_warning(year),
            "can_fix": policy.can_manage_calendar(user)}


def local_datetime(value: datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    return "" if value is None else format_datetime(value, fmt)


def file_size(size: int) -> str:
    """A file size as a person reads it, in Chinese: 512 字节, 37 KB, 1.5 MB."""
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{-(-size // 1024)} KB"
    return f"{size / 1048576:.1f} MB"


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(policy=policy, navigation=navigation,
                                 calendar_warning=calendar_warning)
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["file_size"] = file_size

    @app.context_processor
    def unit():
        from dwgk.core import settings

        return {"unit_name": settings.unit_name()}
