"""Signing in and out, and changing one's own password."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from dwgk import policy
from dwgk.accounts import services
from dwgk.accounts.forms import LoginForm, PasswordChangeForm
from dwgk.accounts.session import safe_next
from dwgk.extensions import db, limiter
from dwgk.web.forms import REFUSED, save
from dwgk.web.render import render

bp = Blueprint("accounts", __name__)


def _username_key() -> str:
    return "account:" + services.normalise_username(request.form.get("username", ""))[:64]


def landing_url(user) -> str:
    """Where a person lands after signing in: where their work is. The office and the
    leading group on 我的待办, supervisors in the supervision inbox, everyone else (members,
    the admin) on the member board."""
    if policy.can_see_duties(user):
        return url_for("duties.index")
    if policy.can_supervise(user):
        return url_for("supervision.inbox")
    return url_for("boards.members")


def _failed(response) -> bool:
    """Only failed attempts count against the limits; a success redirects."""
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["DWGK_LOGIN_LIMIT_ADDRESS"], methods=["POST"],
               deduct_when=_failed, scope="login-address")
@limiter.limit(lambda: current_app.config["DWGK_LOGIN_LIMIT_ACCOUNT"], methods=["POST"],
               key_func=_username_key, deduct_when=_failed, scope="login-account")
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or landing_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        db.session.commit()
        if user is not None:
            session.clear()
            session.permanent = True
            login_user(user)
            if user.must_change_password:
                return redirect(url_for("accounts.change_password"))
            return redirect(safe_next(request.args.get("next")) or landing_url(user))
        form.add_error(None, "用户名或密码不正确，或账号已停用。")
    status = 422 if form.errors or form.form_errors else 200
    return render("accounts/login.html", form=form, status=status)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        services.logout(current_user._get_current_object())
        db.session.commit()
    logout_user()
    session.clear()
    flash("您已安全退出。", "info")
    return redirect(url_for("boards.public"))


@bp.route("/account/password", methods=["GET", "POST"])
@policy.require(policy.can_change_own_password)
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if save(form, lambda: services.change_own_password(
                user, form.current_password.data, form.new_password.data)) is not REFUSED:
            # The version changed: sign this browser in again under the new one.
            session.clear()
            session.permanent = True
            login_user(user)
            flash("密码已修改。", "success")
            return redirect(landing_url(user))
    status = 422 if form.errors or form.form_errors else 200
    return render("accounts/password.html", form=form, status=status,
                  min_length=current_app.config["DWGK_PASSWORD_MIN_LENGTH"])
