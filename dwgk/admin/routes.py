"""The admin's pages: accounts and roles, and the audit log."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user

from dwgk.core.paging import page_number
from dwgk import policy
from dwgk.accounts import queries as account_queries
from dwgk.accounts import services
from dwgk.accounts.forms import PasswordResetForm, UserActiveForm, UserCreateForm, UserEditForm
from dwgk.accounts.models import User
from dwgk.audit import queries as audit_queries
from dwgk.core import workdays
from dwgk.extensions import db
from dwgk.web.forms import REFUSED, save
from dwgk.web.render import render

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _actor() -> User:
    return current_user._get_current_object()


@bp.get("/users")
@policy.require(policy.can_manage_users)
def users():
    return render("admin/users.html", users=account_queries.list_users())


@bp.route("/users/new", methods=["GET", "POST"])
@policy.require(policy.can_manage_users)
def user_new():
    form = UserCreateForm()
    if request.method == "GET":
        form.roles.data = ["member"]
    if form.validate_on_submit():
        user = save(form, lambda: services.create_user(
            form.username.data, form.password.data, form.roles.data or [],
            display_name=form.display_name.data, email=form.email.data, actor=_actor(),
        ), duplicate=("username", services.USERNAME_TAKEN))  # taken by a concurrent save
        if user is not REFUSED:
            flash(f"已创建用户 {user.username}，首次登录时须修改密码。", "success")
            return redirect(url_for("admin.users"))
    status = 422 if form.errors or form.form_errors else 200
    return render("admin/user_new.html", form=form, status=status)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@policy.require(policy.can_manage_users)
def user_edit(user_id: int):
    user = _user_or_404(user_id)
    form = UserEditForm(obj=user if request.method == "GET" else None)
    if request.method == "GET":
        form.roles.data = [role.value for role in user.roles]
    if form.validate_on_submit():
        if save(form, lambda: services.update_user(
                user, display_name=form.display_name.data, email=form.email.data,
                roles=form.roles.data or [], actor=_actor())) is not REFUSED:
            flash(f"已保存用户 {user.username}。", "success")
            return redirect(url_for("admin.users"))
        user = _user_or_404(user_id)  # as it is now, not as the refused change left it
    status = 422 if form.errors or form.form_errors else 200
    return render("admin/user_edit.html", user=user, form=form, reset_form=PasswordResetForm(),
                  active_form=UserActiveForm(), status=status)


@bp.post("/users/<int:user_id>/password")
@policy.require(policy.can_manage_users)
def user_reset_password(user_id: int):
    user = _user_or_404(user_id)
    reset_form = PasswordResetForm()
    if reset_form.validate_on_submit():
        if save(reset_form, lambda: services.reset_password(
                user, reset_form.password.data, actor=_actor())) is not REFUSED:
            flash(f"已重置 {user.username} 的密码；该用户下次登录时须修改密码。", "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    form = UserEditForm(obj=user)
    form.roles.data = [role.value for role in user.roles]
    return render("admin/user_edit.html", user=user, form=form, reset_form=reset_form,
                  active_form=UserActiveForm(), status=422)


@bp.post("/users/<int:user_id>/active")
@policy.require(policy.can_manage_users)
def user_set_active(user_id: int):
    user = _user_or_404(user_id)
    active_form = UserActiveForm()
    if not active_form.validate_on_submit():
        abort(400)
    try:
        services.set_active(user, bool(active_form.active.data), actor=_actor())
    except services.AccountError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(f"已{'启用' if user.active else '停用'}用户 {user.username}。", "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))


_IGNORED = "，未按此日期筛选。"


def _date_arg(name: str, problems: dict) -> date | None:
    """The date filter `name`, or None; why a given one is not used goes into `problems`
    (a year like 0001 or 9999 would overflow the day-boundary arithmetic)."""
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        problems[name] = "日期格式不正确" + _IGNORED
        return None
    problem = workdays.day_problem(day)
    if problem:
        problems[name] = problem.rstrip("。") + _IGNORED
        return None
    return day


@bp.get("/audit")
@policy.require(policy.can_read_audit_log)
def audit():
    page = page_number(request.args)
    problems: dict[str, str] = {}
    filters = {
        "action": request.args.get("action", "").strip() or None,
        "actor": request.args.get("actor", "").strip() or None,
        "start": _date_arg("start", problems),
        "end": _date_arg("end", problems),
    }
    per_page = 50
    events, total = audit_queries.list_events(page=page, per_page=per_page, **filters)
    pages = max((total + per_page - 1) // per_page, 1)
    return render("admin/audit.html", "admin/_audit_table.html", events=events, total=total,
                  page=page, pages=pages, filters=filters, problems=problems,
                  actions=audit_queries.ACTION_LABELS, action_label=audit_queries.action_label,
                  object_label=audit_queries.object_label)


@bp.route("/settings", methods=["GET", "POST"])
@policy.require(policy.can_manage_settings)
def settings():
    from dwgk.accounts.forms import UnitSettingsForm
    from dwgk.core import settings as unit_settings

    current = unit_settings.get()
    form = UnitSettingsForm(obj=current if request.method == "GET" else None)
    if form.validate_on_submit():
        if save(form, lambda: unit_settings.update(
                actor=_actor(), unit_name=form.unit_name.data,
                report_addressee=form.report_addressee.data,
                **{name: getattr(form, name).data for name in unit_settings.LIMITS})) is not REFUSED:
            flash("单位设置已保存。", "success")
            return redirect(url_for("admin.settings"))
    status = 422 if form.errors or form.form_errors else 200
    return render("admin/settings.html", form=form, status=status)
