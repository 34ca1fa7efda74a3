"""The bell in the header (/notifications/bell, polled by htmx) and the list of notices."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from dwgk.core.paging import page_number
from dwgk import policy
from dwgk.accounts.session import safe_next
from dwgk.extensions import db
from dwgk.notifications import queries, services
from dwgk.web.render import render

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


class _CookielessResponse(Response):
    """An answer that never sets a cookie.

    Every open page asks for the bell once a minute. Any other request re-issues the
    session cookie with a new expiry (a permanent session, SESSION_REFRESH_EACH_REQUEST),
    so the session lapses only after PERMANENT_SESSION_LIFETIME without use. If the bell
    did the same, a page left open on an unattended computer would stay signed in for
    ever; and it must never start a session for a visitor.
    """

    def set_cookie(self, *args, **kwargs) -> None:
        return None


@bp.app_template_global()
def unread_notifications() -> int:
    """The bell's count for the page being rendered (base.html includes the bell)."""
    if not policy.can_use_notifications(current_user):
        return 0
    return queries.unread_count(current_user.id)


@bp.get("/bell")
def bell():
    """The bell fragment: the signed-in user's load and one COUNT. Rendered without the
    context processors (they would read the unit's settings, every minute, per page).
    Signed out (the session ended while the page was open): an empty answer, so htmx
    removes the bell and its polling stops."""
    if not policy.can_use_notifications(current_user):
        return _CookielessResponse("", 200, mimetype="text/html")
    template = current_app.jinja_env.get_template("notifications/_bell.html")
    html = template.render(unread_count=queries.unread_count(current_user.id))
    return _CookielessResponse(html, 200, mimetype="text/html")


@bp.get("")
@policy.require(policy.can_use_notifications)
def index():
    page = page_number(request.args)
    return render("notifications/index.html", "notifications/_list.html",
                  notices=queries.page_for(current_user.id, page))


@bp.post("/<int:notification_id>/read")
@policy.require(policy.can_use_notifications)
def read(notification_id: int):
    """Mark one notice read and go to what it is about (a path on this site only)."""
    notice = queries.own_notice(current_user.id, notification_id)
    if notice is None:
        abort(404)
    services.mark_read(notice)
    db.session.commit()
    return redirect(safe_next(notice.link) or url_for("notifications.index"))


@bp.post("/read-all")
@policy.require(policy.can_use_notifications)
def read_all():
    count = services.mark_all_read(current_user._get_current_object())
    db.session.commit()
    flash(f"已将 {count} 条通知标为已读。" if count else "没有未读的通知。", "success")
    return redirect(url_for("notifications.index"))
