"""The notice-board screen (/kiosk): the page, the content it refreshes itself with, and the
admin's screen settings."""
from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from flask import (Blueprint, abort, current_app, flash, make_response, redirect, request,
                   url_for)
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from dwgk import policy
from dwgk.core import clock
from dwgk.extensions import db
from dwgk.kiosk import qr, queries, services
from dwgk.kiosk.forms import KioskScreenForm
from dwgk.kiosk.models import Orientation
from dwgk.web import cache
from dwgk.web.forms import REFUSED, save
from dwgk.web.render import render

bp = Blueprint("kiosk", __name__)

DUPLICATE = "保存失败：地址标识已被其他屏幕使用，请换一个。"


def _screen_or_404(slug: str) -> queries.Screen:
    # Every display asks every few seconds: the screen is kept per generation (a change
    # to it or to the unit's name writes a new one).
    screen = cache.memoize("kiosk-screen", slug, lambda: queries.load_screen(slug) or False)
    if not screen:
        abort(404)
    return screen


def _notice_speed(text: str) -> str:
    """The scrolling line's pace, as a class: long lines scroll for longer (no inline style)."""
    return "short" if len(text) <= 40 else "medium" if len(text) <= 100 else "long"


def _refresh_seconds(screen: queries.Screen) -> float:
    """How often the display asks for news. Tests may ask for a faster pace (`?refresh=`)."""
    if current_app.testing:
        asked = request.args.get("refresh", type=float)
        if asked is not None:
            return min(max(asked, 0.1), 600)
    return screen.refresh_seconds


def _etag(data_etag: str, feedback_url: str) -> str:
    """The fragment's ETag: its data's, and the address its QR code shows (which comes from
    the configuration or from the address the display uses, not from the database)."""
    return hashlib.sha256(f"{data_etag}\x1e{feedback_url}".encode()).hexdigest()[:32]


def _content_context(screen: queries.Screen) -> dict:
    slides, data_etag = queries.slides(screen)
    feedback_url = qr.feedback_url()
    return {"screen": screen, "slides": slides, "etag": _etag(data_etag, feedback_url),
            "feedback_url": feedback_url,
            "qr_svg": qr.svg(feedback_url), "notice_speed": _notice_speed(screen.notice_line)}


def _kiosk_page(slug: str):
    screen = _screen_or_404(slug)
    response = render("kiosk/screen.html", now=clock.local_now(),
                      content_url=url_for("kiosk.content", slug=screen.slug),
                      worker_url=url_for("kiosk.service_worker"), worker_scope=url_for("kiosk.index"),
                      refresh_seconds=_refresh_seconds(screen), **_content_context(screen))
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/kiosk")
def index():
    """The "default" screen (or the built-in settings until an admin makes one)."""
    return _kiosk_page(queries.DEFAULT_SLUG)


@bp.get("/kiosk/sw.js")
def service_worker():
    """The display's service worker (static/js/kiosk-sw.js). Served here, not under /static,
    so that it may control /kiosk: a worker's scope is at most the folder of its script,
    unless the answer allows more (Service-Worker-Allowed). Its rule wins over /kiosk/<slug>
    (a fixed path before a variable one); slugs cannot hold a dot anyway."""
    script = Path(current_app.static_folder, "js", "kiosk-sw.js").read_bytes()
    response = make_response(script)
    response.mimetype = "application/javascript"
    response.add_etag()
    response.make_conditional(request)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = url_for("kiosk.index")
    return response


@bp.get("/kiosk/<slug>")
def screen(slug: str):
    return _kiosk_page(slug)


@bp.get("/kiosk/<slug>/content")
def content(slug: str):
    """The screen's content as a fragment, with a strong ETag. A display that shows the
    current content already gets 304 after one small read (the generation): the screen
    and its items' fingerprint are kept per generation and time window."""
    screen = _screen_or_404(slug)
    data_etag = cache.memoize("kiosk-fingerprint", screen.key(),
                              lambda: queries.fingerprint(screen))
    etag = _etag(data_etag, qr.feedback_url())
    if request.if_none_match.contains_weak(etag):
        response = make_response("", 304)
    else:
        response = render("kiosk/_content.html", **_content_context(screen))
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response


# --- the admin's settings -----------------------------------------------------------------

def _user():
    return current_user._get_current_object()


def _status(form) -> int:
    if services.CONFLICT in form.form_errors:
        return 409
    return 422 if form.errors or form.form_errors else 200


def _fill_choices(form: KioskScreenForm, screen=None) -> None:
    chosen = [c.id for c in screen.categories] if screen is not None else []
    form.categories.choices = [
        SelectChoice(c.id, c.name if c.active else f"{c.name}（已停用）")
        for c in queries.category_choices(chosen)]


def _input(form: KioskScreenForm) -> services.ScreenInput:
    return services.ScreenInput(
        slug=form.slug.data or "", name=form.name.data or "",
        orientation=Orientation(form.orientation.data), rotation_seconds=form.rotation_seconds.data,
        notice_line=form.notice_line.data or "", active=bool(form.active.data),
        category_ids=list(form.categories.data or []))


def _opened_at(form: KioskScreenForm) -> datetime | None:
    try:
        return datetime.fromisoformat(form.updated_at.data)
    except (TypeError, ValueError):
        return None


@bp.get("/admin/kiosk")
@policy.require(policy.can_manage_kiosk)
def admin_list():
    return render("kiosk/admin_list.html", screens=queries.all_screens(),
                  default_slug=queries.DEFAULT_SLUG)


@bp.route("/admin/kiosk/new", methods=["GET", "POST"])
@policy.require(policy.can_manage_kiosk)
def admin_new():
    form = KioskScreenForm()
    _fill_choices(form)
    if form.validate_on_submit():
        screen = save(form, lambda: services.create_screen(_input(form), actor=_user()),
                      duplicate=("slug", DUPLICATE))
        if screen is not REFUSED:
            flash(f"已新建屏幕“{screen.name}”，地址 /kiosk/{screen.slug}。", "success")
            return redirect(url_for("kiosk.admin_list"))
    return render("kiosk/admin_edit.html", form=form, screen=None, status=_status(form))


@bp.route("/admin/kiosk/<int:screen_id>", methods=["GET", "POST"])
@policy.require(policy.can_manage_kiosk)
def admin_edit(screen_id: int):
    screen = queries.get_screen(screen_id) or abort(404)
    form = KioskScreenForm(obj=screen if request.method == "GET" else None)
    _fill_choices(form, screen)
    if request.method == "GET":
        form.categories.data = [c.id for c in screen.categories]
        form.orientation.data = screen.orientation.value
        form.updated_at.data = screen.updated_at.isoformat() if screen.updated_at else ""
    if form.validate_on_submit():
        try:
            changed = services.update_screen(screen, _input(form), actor=_user(),
                                             expected_updated_at=_opened_at(form))
            db.session.commit()
        except services.EditConflict as exc:
            db.session.rollback()
            form.add_error(None, str(exc))
        except services.KioskError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
        except IntegrityError:
            db.session.rollback()
            form.add_error("slug", DUPLICATE)
        else:
            flash(f"已保存屏幕“{screen.name}”。" if changed else "没有修改。",
                  "success" if changed else "info")
            return redirect(url_for("kiosk.admin_list"))
        screen = queries.get_screen(screen_id) or abort(404)
        if services.CONFLICT in form.form_errors:
            # Show the other admin's version, with its stamp: a second save is deliberate.
            form = _reloaded(form, screen)
    return render("kiosk/admin_edit.html", form=form, screen=screen, status=_status(form))


def _reloaded(submitted: KioskScreenForm, screen) -> KioskScreenForm:
    form = KioskScreenForm(formdata=None, obj=screen)
    _fill_choices(form, screen)
    form.categories.data = [c.id for c in screen.categories]
    form.orientation.data = screen.orientation.value
    form.updated_at.data = screen.updated_at.isoformat() if screen.updated_at else ""
    form.form_errors.extend(submitted.form_errors)
    return form
