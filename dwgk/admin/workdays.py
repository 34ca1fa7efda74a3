"""The admin's 节假日调整 page: declare dates holidays or working days, and check a deadline;
and its import: a year's holidays from the State Council's notice (pasted) or a CSV file,
shown for confirmation, then saved in one step.

Routes stay thin: the calendar and its changes live in dwgk.core.workdays.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from dwgk import policy
from dwgk.core import clock, holiday_notice, workdays
from dwgk.core.models import WorkdayOverride
from dwgk.extensions import db
from dwgk.web.forms import REFUSED, BaseForm, save
from dwgk.web.render import render

bp = Blueprint("workdays", __name__, url_prefix="/admin/workdays")

WORK, REST = "work", "rest"
KIND_CHOICES = [SelectChoice(REST, "放假休息（不计为工作日）"), SelectChoice(WORK, "调休上班（计为工作日）")]
CHECK_KINDS = [SelectChoice(workdays.WORKDAYS, "个工作日"), SelectChoice(workdays.DAYS, "日（遇节假日顺延）")]
MAX_CHECK_DAYS = 366

_BAD_DATE = "日期格式不正确，请按 2027-01-04 的格式填写。"


class WorkdayOverrideForm(BaseForm):
    day = DateField("日期", validators=[InputRequired("请填写日期。")], invalid_value_message=_BAD_DATE)
    kind = SelectField("这一天", choices=KIND_CHOICES, default=REST,
                       invalid_choice_message="请选择“放假休息”或“调休上班”。")
    note = StringField("说明（可选）", validators=[
        Length(max=workdays.NOTE_MAX, message=f"说明最长 {workdays.NOTE_MAX} 个字符。")])

    # set_override checks this again; checking here too shows every problem at once.
    def validate_day(self, field):
        if field.data is None:  # missing or unreadable: already said so
            return
        problem = workdays.day_problem(field.data)
        if problem:
            raise ValidationError(problem)


class DeadlineCheckForm(BaseForm):
    """The 计算期限 tool: read-only, submitted by GET, so no CSRF token."""

    class Meta:
        csrf = False

    FIELDS = ("start", "days", "kind")

    start = DateField("起算日（事件发生之日，不计入）", validators=[InputRequired("请填写起算日。")],
                      invalid_value_message=_BAD_DATE)
    days = IntegerField("期限", validators=[InputRequired("请填写天数。")],
                        invalid_value_message="请填写整数天数。")
    kind = SelectField("计算方式", choices=CHECK_KINDS, default=workdays.WORKDAYS,
                       invalid_choice_message="请选择计算方式。")

    def validate_start(self, field):
        # The calendar's years, as for an override: near 9999-12-31 the arithmetic overflows.
        if field.data is not None and (problem := workdays.day_problem(field.data)):
            raise ValidationError(problem)

    def validate_days(self, field):
        # Not NumberRange: it would add a second message to "abc" (whose data is None).
        if field.data is not None and not 1 <= field.data <= MAX_CHECK_DAYS:
            raise ValidationError(f"天数须在 1 至 {MAX_CHECK_DAYS} 之间。")


class WorkdayDeleteForm(BaseForm):
    """Only the CSRF token."""


def _actor():
    return current_user._get_current_object()


def _page(form: WorkdayOverrideForm, status: int = 200):
    """The page, with the override form as given and the check tool as the query asks."""
    calendar = workdays.Calendar.load()
    asked = any(name in request.args for name in DeadlineCheckForm.FIELDS)
    check_form = DeadlineCheckForm(formdata=request.args if asked else None)
    deadline = None
    if asked and check_form.validate():
        count = (calendar.add_days if check_form.kind.data == workdays.DAYS
                 else calendar.add_workdays)
        try:
            deadline = count(check_form.start.data, check_form.days.data)
        except ValueError as problem:  # no working day within the search: said in Chinese
            check_form.start.errors = [str(problem)]
    if asked and deadline is None:
        status = max(status, 422)
    first, last = workdays.statutory_years()
    return render("admin/workdays.html", form=form, check_form=check_form, deadline=deadline,
                  years=workdays.overrides_by_year(),
                  statutory_first=first, statutory_last=last,
                  statutory_label=workdays.statutory_label, weekday_name=workdays.weekday_name,
                  status=status)


@bp.get("")
@policy.require(policy.can_manage_calendar)
def index():
    return _page(WorkdayOverrideForm(formdata=None))


@bp.post("")
@policy.require(policy.can_manage_calendar)
def create():
    form = WorkdayOverrideForm()
    if form.validate_on_submit():
        override = save(form, lambda: workdays.set_override(
            form.day.data, is_workday=form.kind.data == WORK, note=form.note.data or "",
            actor=_actor()))
        if override is not REFUSED:
            flash(f"已保存：{workdays.format_day(override.day)}（{workdays.weekday_name(override.day)}）"
                  f"{override.kind_label}。", "success")
            return redirect(url_for("workdays.index"))
    return _page(form, status=422)


@bp.post("/<int:override_id>/delete")
@policy.require(policy.can_manage_calendar)
def delete(override_id: int):
    override = db.session.get(WorkdayOverride, override_id)
    if override is None:
        abort(404)
    if not WorkdayDeleteForm().validate_on_submit():
        abort(400)
    day = override.day
    workdays.delete_override(override, actor=_actor())
    db.session.commit()
    flash(f"已删除 {workdays.format_day(day)} 的节假日调整，该日恢复按内置日历计算。", "success")
    return redirect(url_for("workdays.index"))


# --- import: a whole year at once --------------------------------------------------------

TEXT, CSV = "text", "csv"
MAX_TEXT = 20_000
MAX_CSV_BYTES = 100 * 1024
SOURCE_LABELS = {TEXT: "国务院办公厅通知", CSV: "CSV 文件"}


def _year_choices() -> list[SelectChoice]:
    this_year = clock.today().year
    return [SelectChoice(y, f"{y} 年") for y in range(this_year - 1, this_year + 3)]


class WorkdayImportForm(BaseForm):
    year = SelectField("通知所属年份", coerce=int, invalid_choice_message="请选择年份。")
    text = TextAreaField("通知正文", validators=[
        Length(max=MAX_TEXT, message=f"通知正文最长 {MAX_TEXT} 个字符。")])
    csv_file = FileField("或上传 CSV 文件")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.year.choices = _year_choices()
        if self.year.data is None:
            self.year.data = clock.today().year + 1

    def read(self) -> tuple[str, str] | None:
        """(TEXT or CSV, its content) when exactly one was given; the errors otherwise."""
        upload = self.csv_file.data
        has_file = bool(upload and getattr(upload, "filename", ""))
        if has_file and self.text.data:
            self.text.errors = [*self.text.errors, "请只粘贴通知或只上传文件，不要同时提交两者。"]
            return None
        if not has_file:
            if not self.text.data:
                self.text.errors = [*self.text.errors, "请粘贴通知正文，或上传 CSV 文件。"]
                return None
            return TEXT, self.text.data
        data = upload.read(MAX_CSV_BYTES + 1)
        if len(data) > MAX_CSV_BYTES:
            self.csv_file.errors = [f"CSV 文件不能超过 {MAX_CSV_BYTES // 1024} KB。"]
            return None
        try:
            return CSV, holiday_notice.decode_upload(data)
        except holiday_notice.NoticeError as exc:
            self.csv_file.errors = [str(exc)]
            return None


class WorkdayImportConfirmForm(BaseForm):
    """What the preview showed, sent back to be read again and saved."""

    year = HiddenField()
    source = HiddenField()
    content = HiddenField()


def _parse(source: str, content: str, year: int):
    field = "csv_file" if source == CSV else "text"
    if source == CSV:
        days = holiday_notice.parse_csv(content, field=field)
    else:
        days = holiday_notice.parse_notice(content, year, field=field)
    for entry in days:  # what set_override would refuse, said before the confirmation
        problem = workdays.day_problem(entry.day)
        if problem:
            raise holiday_notice.NoticeError(f"{entry.day.isoformat()}：{problem}", field)
    return days


def _import_page(form: WorkdayImportForm, *, preview=None, confirm=None, status: int = 200):
    rows = []
    if preview is not None:
        existing = {o.day: o for o in db.session.scalars(
            db.select(WorkdayOverride).where(WorkdayOverride.day.in_([d.day for d in preview])))}
        rows = [(entry, existing.get(entry.day)) for entry in preview]
    return render("admin/workday_import.html", form=form, rows=rows, confirm=confirm,
                  statutory_label=workdays.statutory_label, weekday_name=workdays.weekday_name,
                  kind_label=workdays.kind_label, status=status)


@bp.get("/import")
@policy.require(policy.can_manage_calendar)
def import_form():
    return _import_page(WorkdayImportForm(formdata=None))


@bp.post("/import")
@policy.require(policy.can_manage_calendar)
def import_preview():
    form = WorkdayImportForm()
    if not form.validate_on_submit():
        form.read()  # say what is missing too, all at once
        return _import_page(form, status=422)
    given = form.read()
    if given is None:
        return _import_page(form, status=422)
    source, content = given
    try:
        days = _parse(source, content, form.year.data)
    except holiday_notice.NoticeError as exc:
        form.add_error(exc.field, str(exc))
        return _import_page(form, status=422)
    confirm = WorkdayImportConfirmForm(formdata=None, year=str(form.year.data), source=source,
                                       content=content)
    return _import_page(form, preview=days, confirm=confirm)


@bp.post("/import/save")
@policy.require(policy.can_manage_calendar)
def import_save():
    confirm = WorkdayImportConfirmForm()
    if not confirm.validate_on_submit():
        abort(400)
    source = confirm.source.data if confirm.source.data in SOURCE_LABELS else TEXT
    form = WorkdayImportForm(formdata=None)
    try:
        year = int(confirm.year.data)
    except (TypeError, ValueError):
        abort(400)
    form.year.data = year
    if source == TEXT:
        form.text.data = confirm.content.data
    try:
        days = _parse(source, confirm.content.data or "", year)
    except holiday_notice.NoticeError as exc:
        form.add_error(exc.field, str(exc))
        return _import_page(form, status=422)
    result = save(form, lambda: workdays.import_overrides(
        days, source=SOURCE_LABELS[source], actor=_actor()))
    if result is REFUSED:
        return _import_page(form, status=422)
    rest = sum(not d.is_workday for d in days)
    flash(f"已导入 {len(days)} 个日期（放假 {rest} 天、调休上班 {len(days) - rest} 天）："
          f"新增 {result.added} 条，替换 {result.replaced} 条，未变 {result.unchanged} 条。", "success")
    return redirect(url_for("workdays.index"))
