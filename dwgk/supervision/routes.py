"""Supervision: the supervisors' inbox (/supervision), their notes and relayed opinions, and
the office's side (/office/supervision) where each note is answered."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from wtforms.fields.choices import SelectChoice

from dwgk.core.paging import page_number
from dwgk import policy
from dwgk.core import clock
from dwgk.core.types import query_id
from dwgk.disclosures.queries import catalog_entry_choices
from dwgk.extensions import db
from dwgk.feedback import services as feedback_services
from dwgk.feedback.models import Channel, FeedbackKind, FeedbackStatus
from dwgk.reminders import queries as duty_queries
from dwgk.supervision import queries, services
from dwgk.supervision.forms import NoteAnswerForm, NoteNewForm, RelayForm
from dwgk.supervision.models import SupervisionNote
from dwgk.web.forms import REFUSED, save
from dwgk.web.render import render

bp = Blueprint("supervision", __name__)


def _user():
    return current_user._get_current_object()


def _target_item(form) -> tuple[int | None, str | None]:
    """The item a form is about, with its title: on GET from ?item=<id> (404 unless live),
    on POST from the form's hidden field (the service refuses one that is gone)."""
    if request.method == "GET":
        item_id = request.args.get("item", type=query_id)
        if item_id is None:
            return None, None
        title = queries.live_item_title(item_id)
        if title is None:
            abort(404)
        form.disclosure_id.data = item_id
        return item_id, title
    item_id = form.disclosure_id.data
    if not item_id:
        return None, None
    return item_id, queries.live_item_title(item_id) if item_id > 0 else None


# --- the supervisors' side ---------------------------------------------------------------

@bp.get("/supervision")
@policy.require(policy.can_supervise)
def inbox():
    status_name = request.args.get("status", "")
    status = FeedbackStatus(status_name) if status_name in {s.value for s in FeedbackStatus} else None
    overdue_only = request.args.get("overdue") == "1"
    ctx = queries.DeadlineContext.load()
    return render("supervision/inbox.html", "supervision/_feedback.html",
                  overdue=queries.overdue(ctx),
                  feedback=queries.feedback_page(ctx, status=status, overdue_only=overdue_only,
                                                 page=page_number(request.args)),
                  counts=queries.feedback_status_counts(), statuses=list(FeedbackStatus),
                  status_filter=status, overdue_only=overdue_only,
                  notes=queries.notes_page(ctx, page=page_number(request.args, "notes_page")), ctx=ctx,
                  overdue_duties=duty_queries.overdue_for_supervision(clock.today()))


def _fill_items(form) -> None:
    """The item picker's choices; the picked item (if any) becomes the form's target."""
    form.item_pick.choices = [SelectChoice("", "（不针对具体事项）")] + [
        SelectChoice(item_id, f"{title}（{published_at:%Y-%m-%d}）" if published_at else title)
        for item_id, title, published_at in queries.live_item_choices()]
    if request.method == "POST" and not form.disclosure_id.data and form.item_pick.data:
        form.disclosure_id.data = form.item_pick.data


def _fill_entries(form: NoteNewForm) -> None:
    form.catalog_entry_id.choices = [SelectChoice("", "（不针对目录条目）")] + [
        SelectChoice(entry.id, f"{entry.category.name} · {entry.title}")
        for entry in catalog_entry_choices()]


@bp.route("/supervision/notes/new", methods=["GET", "POST"])
@policy.require(policy.can_supervise)
def note_new():
    form = NoteNewForm()
    _fill_items(form)
    item_id, item_title = _target_item(form)
    if request.method == "GET" and item_id is None:
        form.catalog_entry_id.data = request.args.get("entry", type=query_id)
    _fill_entries(form)
    if form.validate_on_submit():
        data = services.NoteInput(topic=form.topic.data, body=form.body.data or "",
                                  disclosure_id=form.disclosure_id.data or None,
                                  catalog_entry_id=form.catalog_entry_id.data)
        note = save(form, lambda: services.file_note(data, author=_user()))
        if note is not REFUSED:
            flash("监督意见已提交，党务公开办公室将在规定期限内答复。", "success")
            return redirect(url_for("supervision.note", note_id=note.id))
    status = 422 if form.errors or form.form_errors else 200
    return render("supervision/note_new.html", form=form, item_id=item_id, item_title=item_title,
                  status=status)


@bp.get("/supervision/notes/<int:note_id>")
@policy.require(policy.can_read_supervision_notes)
def note(note_id: int):
    row = queries.load_note(note_id, queries.DeadlineContext.load())
    if row is None:
        abort(404)
    return render("supervision/note.html", note=row)


@bp.route("/supervision/relay", methods=["GET", "POST"])
@policy.require(policy.can_supervise)
def relay():
    form = RelayForm()
    _fill_items(form)
    item_id, item_title = _target_item(form)
    if request.method == "GET":
        form.received_on.data = clock.today()
    if form.validate_on_submit():
        data = feedback_services.FeedbackInput(
            body=form.body.data or "", kind=FeedbackKind(form.kind.data),
            disclosure_id=form.disclosure_id.data or None, is_named=form.is_named.data,
            filer_name=form.filer_name.data or "", filer_phone=form.filer_phone.data or "",
            filer_email=form.filer_email.data or "", channel=Channel.IN_PERSON,
            received_on=form.received_on.data)
        filed = save(form, lambda: feedback_services.file_feedback(data, relayed_by=_user()))
        if filed is not REFUSED:
            feedback, code = filed
            # Shown once, in this answer only: never in a redirect, a flash or the session.
            return render("supervision/relay_done.html", code=code, feedback=feedback,
                          item_title=item_title)
    status = 422 if form.errors or form.form_errors else 200
    return render("supervision/relay.html", form=form, item_id=item_id, item_title=item_title,
                  status=status)


# --- the office's side -------------------------------------------------------------------

@bp.get("/office/supervision")
@policy.require(policy.can_answer_supervision)
def office_list():
    ctx = queries.DeadlineContext.load()
    return render("supervision/office_list.html", pending=queries.pending_notes(ctx),
                  answered=queries.answered_notes_page(ctx, page_number(request.args)), ctx=ctx)


def _version(form) -> int | None:
    try:
        return int(form.version_id.data)
    except (TypeError, ValueError):
        return None


@bp.route("/office/supervision/<int:note_id>", methods=["GET", "POST"])
@policy.require(policy.can_answer_supervision)
def office_answer(note_id: int):
    note = db.session.get(SupervisionNote, note_id)
    if note is None:
        abort(404)
    form = NoteAnswerForm()
    if request.method == "GET":
        form.version_id.data = note.version_id
        form.answer_text.data = note.answer_text
        form.adoption.data = note.adoption.value if note.adoption else None
    status = 200
    if form.validate_on_submit():
        amending = note.answered_at is not None
        try:
            services.answer_note(note, form.answer_text.data, actor=_user(),
                                 expected_version=_version(form), adoption=form.adoption.data)
            db.session.commit()
        except (StaleDataError, services.SupervisionConflict):
            db.session.rollback()
            form.add_error(None, services.CONFLICT)
            status = 409
        except services.SupervisionError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
        else:
            flash("答复已修改。" if amending else "已答复，监督员会收到通知。", "success")
            return redirect(url_for("supervision.office_list"))
    if status == 200 and (form.errors or form.form_errors):
        status = 422
    row = queries.load_note(note_id, queries.DeadlineContext.load())
    if status == 409:
        # Show the answer that is there now, and let a second submit amend it knowingly.
        form.version_id.data = row.version_id
    return render("supervision/office_answer.html", note=row, form=form, status=status)
