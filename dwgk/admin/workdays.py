"""The admin's 节假日调整 page: declare dates holidays or working days, and check a deadline.

Routes stay thin: the calendar and its changes live in dwgk.core.workdays.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from dwgk import policy
from dwgk.core import workdays
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
