"""Feedback pages: the public form, the one-time slip and the lookup; the office's inbox,
one filing's page with its handling forms, and logging what came in on paper or in person."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   session, url_for)
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from wtforms.fields.choices import SelectChoice

from dwgk import policy
from dwgk.accounts.models import User
from dwgk.audit.queries import action_label
from dwgk.core import clock, mail
from dwgk.core import settings as unit_settings
from dwgk.core.workdays import Calendar, Deadline
from dwgk.core.types import query_id
from dwgk.extensions import db, limiter
from dwgk.feedback import codes, queries, services
from dwgk.feedback.forms import (AssignForm, CloseForm, FeedbackForm, HandlerReplyForm, LogForm,
                                 LookupForm, ReplyForm, ResultForm)
from dwgk.feedback.models import Channel, Feedback, FeedbackKind, FeedbackStatus, ReplyMethod
from dwgk.web import cache
from dwgk.web.forms import REFUSED, optional_int, save
from dwgk.web.render import render, wants_fragment

log = logging.getLogger(__name__)

bp = Blueprint("feedback", __name__)


SLIP_KEY = "feedback_slip"
NOT_FOUND = "未找到与该查询码对应的意见。"
CONFLICT = ("操作未保存：在您查看期间，这条意见已被他人处理。"
            "请先查看下方的最新情况；如仍需操作，请再次提交。")
GENERAL = SelectChoice("", "（一般意见，不针对具体事项）")


def _user():
    return current_user._get_current_object()


def _public_lookup_url() -> str:
    """The lookup page on DWGK_PUBLIC_URL (for e-mails), or "" when that is not set."""
    base = (current_app.config.get("DWGK_PUBLIC_URL") or "").rstrip("/")
    return base + url_for("feedback.lookup") if base else ""


def _lookup_url() -> str:
    """The lookup page's address to show a person: DWGK_PUBLIC_URL's, or this request's."""
    return _public_lookup_url() or url_for("feedback.lookup", _external=True)


@bp.app_template_global("feedback_results")
def feedback_results(disclosure_id: int) -> list[queries.PublishedResult]:
    """The item page's published handling results (one query): feedback/_results.html."""
    return queries.published_results(disclosure_id)


# --- the public side -------------------------------------------------------------------------

def _item_choices(form, reader, selected_id) -> None:
    form.disclosure_id.choices = [GENERAL] + [
        SelectChoice(item_id, title) for item_id, title in queries.item_choices(reader, selected_id)]


def _input(form, channel: Channel, received_on=None) -> services.FeedbackInput:
    return services.FeedbackInput(
        body=form.body.data or "", kind=FeedbackKind(form.kind.data),
        disclosure_id=form.disclosure_id.data, is_named=form.is_named,
        filer_name=form.filer_name.data or "", filer_phone=form.filer_phone.data or "",
        filer_email=form.filer_email.data or "", channel=channel, received_on=received_on)


def _show_code_once(slip: dict):
    session[SLIP_KEY] = slip
    return redirect(url_for("feedback.slip"))


def _refused_page(_limit):
    """The limit is reached: the form again, with what was typed and why it was not filed."""
    return _form_page(refused=True)


# Only accepted filings count (they answer with a redirect to the lookup code); a form sent
# back for a missing field does not, so correcting a mistake never uses up the limit.
@bp.route("/feedback/new", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["DWGK_FEEDBACK_LIMIT"], methods=["POST"],
               scope="feedback-address", deduct_when=lambda response: response.status_code == 302,
               on_breach=_refused_page)
def new():
    return _form_page(refused=False)


def _form_page(*, refused: bool):
    signed_in = policy.is_signed_in(current_user)
    channel = Channel.KIOSK if request.args.get("channel") == "kiosk" else Channel.WEB
    form = FeedbackForm()
    if signed_in:
        # A signed-in member files as themselves; to stay anonymous, sign out first.
        form.identity.choices = [SelectChoice("named", "实名（以本人身份）")]
    if request.method == "GET":
        form.disclosure_id.data = request.args.get("item", type=query_id)
        if signed_in:
            form.identity.data = "named"
            form.filer_name.data = current_user.display_name
            form.filer_email.data = current_user.email or ""
    selected = (optional_int(request.form.get("disclosure_id")) if request.method == "POST"
                else form.disclosure_id.data)
    _item_choices(form, current_user, selected)
    if refused:
        form.form_errors.append(services.TOO_MANY_FILINGS)
        return render("feedback/new.html", form=form, channel=channel, signed_in=signed_in,
                      status=429)

    if form.is_submitted() and form.website.data:
        # The honeypot was filled in: a robot. It gets what a person would, and nothing is kept.
        log.info("feedback: honeypot filled in, nothing saved")
        return _show_code_once({"code": codes.new_code(), "kind": FeedbackKind.OPINION.label,
                                "date": clock.today().isoformat(), "item": ""})
    if form.validate_on_submit():
        def file():
            feedback, code = services.file_feedback(
                _input(form, channel), user=_user() if signed_in else None)
            return queries.slip(feedback, code, current_user)

        slip = save(form, file)
        if slip is not REFUSED:
            return _show_code_once(slip)
    status = 422 if form.errors or form.form_errors else 200
    return render("feedback/new.html", form=form, channel=channel, signed_in=signed_in,
                  status=status)


@bp.get("/feedback/slip")
def slip():
    """The lookup code, once: the session forgets it as it is shown."""
    shown = session.pop(SLIP_KEY, None)
    response = render("feedback/slip.html", slip=shown, lookup_url=_lookup_url())
    response.headers["Cache-Control"] = "no-store"  # nor may the browser keep it
    return response


@bp.route("/feedback/lookup", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["DWGK_LOOKUP_LIMIT"], methods=["POST"],
               scope="feedback-lookup")
def lookup():
    form = LookupForm()
    result = None
    if form.validate_on_submit():
        feedback = services.find_by_code(form.code.data)
        if feedback is None:
            form.code.errors.append(NOT_FOUND)
        else:
            result = queries.public_status(feedback, current_user)
            form.code.data = ""  # not left on the screen of a shared computer
    status = 422 if form.errors else 200
    response = render("feedback/lookup.html", form=form, result=result, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


# --- the office ------------------------------------------------------------------------------

@dataclass(frozen=True)
class InboxRow:
    feedback: Feedback
    due: Deadline | None
    overdue: bool


@bp.get("/office/feedback")
@policy.require(policy.can_handle_feedback)
def inbox():
    filters = queries.parse_filters(request.args)
    pagination = queries.inbox_page(filters, current_user)
    calendar, unit = Calendar.load(), unit_settings.get()  # once per page, not per row
    rows = [InboxRow(f, services.reply_due(f, calendar, unit),
                     services.is_overdue(f, calendar, unit)) for f in pagination.items]
    response = render("feedback/inbox.html", "feedback/_list.html", filters=filters,
                      pagination=pagination, rows=rows,
                      counts=queries.status_counts(filters, current_user),
                      statuses=list(FeedbackStatus), kinds=list(FeedbackKind),
                      channels=list(Channel))
    if wants_fragment():
        response.headers["HX-Push-Url"] = url_for("feedback.inbox", **filters.args())
    return response


def _load(feedback_id: int) -> Feedback:
    feedback = queries.load_for_office(feedback_id)
    if feedback is None:
        abort(404)
    return feedback


def _default_method(feedback: Feedback) -> str:
    if feedback.reply_method:
        return feedback.reply_method.value
    if feedback.filer_email:
        return ReplyMethod.EMAIL.value
    if feedback.filer_phone:
        return ReplyMethod.PHONE.value
    return ReplyMethod.ONLINE.value


def _assignees(form: AssignForm) -> None:
    form.assignee_id.choices = [SelectChoice("", "请选择")] + [
        SelectChoice(u.id, u.display_name if is_office else f"{u.display_name}（相关部门/责任人）")
        for u, is_office in queries.assignable_users()]


def _detail(feedback: Feedback, status: int = 200, **forms):
    version = feedback.version_id
    assign_form = forms.get("assign_form") or AssignForm(
        formdata=None, version_id=version, assignee_id=feedback.assigned_to_id)
    _assignees(assign_form)
    reply_form = forms.get("reply_form") or ReplyForm(
        formdata=None, version_id=version, reply_text=feedback.reply_text or feedback.handler_reply,
        reply_method=_default_method(feedback), reply_date=feedback.reply_date or clock.today())
    result_form = forms.get("result_form") or ResultForm(
        formdata=None, version_id=version, result_text=feedback.result_text)
    close_form = forms.get("close_form") or CloseForm(formdata=None, version_id=version)
    is_open = feedback.status != FeedbackStatus.CLOSED
    due = services.reply_due(feedback)
    return render(
        "feedback/detail.html", feedback=feedback, due=due, overdue=services.is_overdue(feedback),
        filer_account=(db.session.get(User, feedback.filer_user_id)
                       if feedback.filer_user_id else None),
        history=queries.handling_history(feedback), action_label=action_label,
        assign_form=assign_form, reply_form=reply_form, result_form=result_form,
        close_form=close_form, can_assign=is_open, can_reply=is_open,
        can_publish=feedback.status in (FeedbackStatus.ANSWERED, FeedbackStatus.CLOSED),
        can_close=is_open and not (feedback.kind == FeedbackKind.REPORT and feedback.is_named
                                   and feedback.replied_at is None),
        status=status)


@bp.get("/office/feedback/<int:feedback_id>")
@policy.require(policy.can_handle_feedback)
def detail(feedback_id: int):
    return _detail(_load(feedback_id))


def _act(feedback_id: int, form, name: str, action, done: str):
    """Run `action(feedback, form)` for a handling form; commit; or show the page again with
    the form as typed: 422 when it is invalid or refused, 409 when it was stale."""
    feedback = _load(feedback_id)
    status = 422
    if form.validate_on_submit():
        try:
            after_commit = action(feedback, form)
            db.session.commit()
        except (StaleDataError, services.StaleFeedbackError):
            db.session.rollback()
            form.add_error(None, CONFLICT)
            status = 409
        except services.FeedbackError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
        else:
            flash(done, "success")
            if after_commit is not None:
                after_commit()
            return redirect(url_for("feedback.detail", feedback_id=feedback_id))
        db.session.expire_all()
        feedback = _load(feedback_id)
        if status == 409:
            # Drawn again from what is there now: a second submit is a deliberate one.
            form.version_id.data = feedback.version_id
    return _detail(feedback, status, **{name: form})


@bp.post("/office/feedback/<int:feedback_id>/assign")
@policy.require(policy.can_handle_feedback)
def assign(feedback_id: int):
    form = AssignForm()
    _assignees(form)

    def action(feedback, form):
        assignee = db.session.get(User, form.assignee_id.data or 0)
        if assignee is None:
            raise services.FeedbackError("请选择承办人。", "assignee_id")
        services.assign(feedback, assignee, actor=_user(), expected_version=form.version)

    return _act(feedback_id, form, "assign_form", action, "已分派。")


@bp.post("/office/feedback/<int:feedback_id>/reply")
@policy.require(policy.can_handle_feedback)
def reply(feedback_id: int):
    form = ReplyForm()

    def action(feedback, form):
        should_mail = services.reply(feedback, form.reply_text.data, ReplyMethod(form.reply_method.data),
                                     form.reply_date.data, actor=_user(),
                                     expected_version=form.version)
        if not should_mail:
            return None
        if not mail.is_configured():
            return _no_mail_server
        # Owed in the reply's own transaction: a committed reply always has its mail.
        owed = mail.owe(*_reply_message(feedback), purpose="feedback.reply",
                        keep_trying=REPLY_MAIL_WINDOW)
        return lambda: _send_reply(owed.id)

    return _act(feedback_id, form, "reply_form", action, "答复已记录。")


# A reply not mailed within a week (the mail server away that long) is not mailed late.
REPLY_MAIL_WINDOW = timedelta(days=7)


def _reply_message(feedback: Feedback) -> tuple[str, str, str]:
    unit = unit_settings.get().unit_name
    subject = f"{unit}党务公开：对您所提{feedback.kind.label}的答复"
    item = feedback.disclosure
    body = render_template(
        "emails/feedback_reply.txt", unit_name=unit, feedback=feedback,
        item_title=item.live_revision.title if item is not None and item.live_revision else "",
        lookup_url=_public_lookup_url())
    return feedback.filer_email, subject, body


def _no_mail_server() -> None:
    flash("本系统未配置邮件服务器，答复邮件没有自动发送。如尚未以邮件答复，"
          "请另行发送，或改用电话、当面、书面等方式答复反映人。", "error")


def _send_reply(mail_id: int) -> None:
    """After the commit: wake the worker up to send the reply, or send it now when Redis
    is down; when neither works it stays owed, and the next reminder sweep sends it."""
    if mail.wake_worker():
        flash("答复邮件已交由系统发送。", "info")
    elif mail.send_owed([mail_id], timeout=mail.INLINE_TIMEOUT,
                        budget=2 * mail.INLINE_TIMEOUT).sent:
        flash("答复邮件已发送。", "info")
    else:
        flash("答复邮件暂未发出（邮件队列和邮件服务器暂时都不可用）。系统会在邮件服务器恢复后"
              "自动补发（7 天内）；如需尽快答复，请改用电话、当面、书面等方式。", "error")


@bp.post("/office/feedback/<int:feedback_id>/publish-result")
@policy.require(policy.can_handle_feedback)
def publish_result(feedback_id: int):
    form = ResultForm()

    def action(feedback, form):
        services.publish_result(feedback, form.result_text.data, actor=_user(),
                                expected_version=form.version)

    feedback = _load(feedback_id)
    where = "事项页面" if feedback.disclosure_id is not None else "“意见处理结果”公开页"
    return _act(feedback_id, form, "result_form", action, f"处理结果已在{where}公开。")


# --- the handler's side (交我办理): any signed-in person the office assigned ------------------

@bp.get("/feedback/assigned")
@policy.require(policy.can_read_assigned_feedback)
def assigned():
    return render("feedback/assigned.html", rows=queries.assigned_to(current_user.id))


@bp.route("/feedback/assigned/<int:feedback_id>", methods=["GET", "POST"])
@policy.require(policy.can_read_assigned_feedback)
def handle(feedback_id: int):
    """One filing for its handler, without the filer; the proposed answer goes to the office."""
    feedback = db.session.get(Feedback, feedback_id)
    if feedback is None:
        abort(404)
    if not policy.is_handler_of(current_user, feedback):
        policy.deny_object()
    form = HandlerReplyForm(data={"handler_reply": feedback.handler_reply}
                            if request.method == "GET" else None)
    if form.validate_on_submit() and save(form, lambda: services.submit_handler_reply(
            feedback, form.handler_reply.data, actor=_user())) is not REFUSED:
        flash("办理意见已提交党务公开办公室，由办公室审核后答复反映人。", "success")
        return redirect(url_for("feedback.handle", feedback_id=feedback_id))
    return render("feedback/handle.html", row=queries.assigned_one(current_user.id, feedback_id),
                  form=form, status=422 if form.errors or form.form_errors else 200)


@bp.get("/feedback/results")
@cache.cached_page
def results():
    """The handling results of general opinions, published by the office (no filer's details)."""
    return render("feedback/results.html", results=queries.published_general_results())


@bp.post("/office/feedback/<int:feedback_id>/close")
@policy.require(policy.can_handle_feedback)
def close(feedback_id: int):
    form = CloseForm()

    def action(feedback, form):
        services.close(feedback, actor=_user(), expected_version=form.version)

    return _act(feedback_id, form, "close_form", action, "已办结。")


@bp.route("/office/feedback/log", methods=["GET", "POST"], endpoint="log")
@policy.require(policy.can_handle_feedback)
def log_feedback():
    """Enter an opinion received in person, by phone, by letter or from the opinion box."""
    form = LogForm()
    if request.method == "GET":
        form.received_on.data = clock.today()
        form.disclosure_id.data = request.args.get("item", type=query_id)
    selected = (optional_int(request.form.get("disclosure_id")) if request.method == "POST"
                else form.disclosure_id.data)
    _item_choices(form, current_user, selected)
    if form.validate_on_submit():
        def log():
            feedback, code = services.file_feedback(
                _input(form, Channel(form.channel.data), form.received_on.data),
                logged_by=_user())
            slip = queries.slip(feedback, code, current_user)
            slip["back"] = url_for("feedback.detail", feedback_id=feedback.id)
            return slip

        slip = save(form, log)
        if slip is not REFUSED:
            return _show_code_once(slip)
    status = 422 if form.errors or form.form_errors else 200
    return render("feedback/log.html", form=form, status=status)
