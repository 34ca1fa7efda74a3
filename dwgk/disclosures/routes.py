"""The office's workspace: draft, edit, submit, publish, revise, archive, withdraw."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from wtforms.fields.choices import SelectChoice

from dwgk.core import clock
from dwgk.core.paging import page_number
from dwgk.core.types import query_id
from dwgk import policy
from dwgk.catalog.models import Cadence, Scope, join_forms
from dwgk.disclosures import queries, services
from dwgk.disclosures.forms import ActionForm, DisclosureForm, EndWorkForm, RedraftForm, WithdrawForm
from dwgk.disclosures.models import Adoption, State
from dwgk.disclosures.workflow import Action
from dwgk.extensions import db
from dwgk.reminders.mailing import mail_notices_after_commit
from dwgk.web.forms import REFUSED, save
from dwgk.web.render import render

bp = Blueprint("disclosures", __name__, url_prefix="/office/items")

CONFLICT = ("保存失败：在您编辑期间，该事项已被他人修改或状态已变化。"
            "为避免覆盖他人的修改，本次内容未保存，请刷新页面查看最新内容后再编辑。")


def _user():
    return current_user._get_current_object()


def _load(disclosure_id: int):
    disclosure = queries.load_for_work(disclosure_id)
    if disclosure is None:
        abort(404)
    return disclosure


def _fill_choices(form: DisclosureForm) -> None:
    form.category_id.choices = [SelectChoice("", "请选择")] + [
        SelectChoice(c.id, c.name) for c in queries.category_choices()]
    form.catalog_entry_id.choices = [SelectChoice("", "（不对应目录条目）")] + [
        SelectChoice(e.id, f"{e.category.name} · {e.title}") for e in queries.catalog_entry_choices()]
    form.responsible_id.choices = [SelectChoice("", "（未指定）")] + [
        SelectChoice(u.id, u.display_name) for u in queries.office_users()]
    form.period_start.choices = [SelectChoice("", "（本期）")] + [
        SelectChoice(start.isoformat(), name) for start, name in queries.period_choices(
            form.catalog_entry_id.data if isinstance(form.catalog_entry_id.data, int) else None)]
    form.predisclosure_id.choices = [SelectChoice("", "（无）")] + [
        SelectChoice(d.id, d.live_revision.title) for d in queries.published_predisclosures()]
    form.first_stage_id.choices = [SelectChoice("", "（不属于分期工作，或本事项是第一阶段）")] + [
        SelectChoice(d.id, d.live_revision.title) for d in queries.staged_works()]


def _draft_input(form: DisclosureForm) -> services.DraftInput:
    return services.DraftInput(
        title=form.title.data or "",
        body_source=form.body_source.data or "",
        category_id=form.category_id.data,
        scope=Scope(form.scope.data),
        cadence=Cadence(form.cadence.data),
        catalog_entry_id=form.catalog_entry_id.data,
        responsible_id=form.responsible_id.data,
        result_date=form.result_date.data,
        period_start=_period(form.period_start.data),
        publicity_workdays=form.publicity_workdays.data,
        is_major=form.is_major.data,
        disclosure_forms=join_forms(form.disclosure_forms.data),
        members_first_days=form.members_first_days.data,
        members_first_reason=form.members_first_reason.data or "",
        is_predisclosure=form.is_predisclosure.data,
        decision_date=form.decision_date.data,
        change_note=form.change_note.data or "",
    )


def _period(value) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _version(form) -> int | None:
    try:
        return int(form.version_id.data)
    except (TypeError, ValueError):
        return None


@bp.get("")
@policy.require(policy.can_see_work_in_progress)
def index():
    state_name = request.args.get("state", "")
    state = State(state_name) if state_name in {s.value for s in State} else None
    page = page_number(request.args)
    return render("disclosures/index.html", "disclosures/_list.html",
                  pagination=queries.workspace_page(state, page), counts=queries.state_counts(),
                  state=state, states=list(State))


@bp.route("/new", methods=["GET", "POST"])
@policy.require(policy.can_draft)
def new():
    form = DisclosureForm()
    _fill_choices(form)
    if request.method == "GET":
        form.members_first_days.data = services.default_members_first_days()
        form.responsible_id.data = current_user.id
        entry = queries.catalog_entry(request.args.get("entry", type=query_id))
        if entry is not None:
            # 按此条目新建事项: the entry says what, to whom, how often and by whom.
            form.catalog_entry_id.data = entry.id
            form.category_id.data = entry.category_id
            form.scope.data = entry.scope.value
            form.cadence.data = entry.cadence.value
            if entry.responsible_id:
                form.responsible_id.data = entry.responsible_id
        _prefill_next_stage(form, request.args.get("after", type=query_id),
                            request.args.get("summary") == "1")
    if form.validate_on_submit():
        disclosure = save(form, lambda: services.create_disclosure(
            _draft_input(form), author=_user(), predisclosure_id=form.predisclosure_id.data,
            stage_of_id=form.first_stage_id.data, is_summary=form.is_summary.data))
        if disclosure is not REFUSED:
            flash("草稿已保存。可以继续上传附件，完成后提交审核。", "success")
            return redirect(_after_save(disclosure.id))
    status = 422 if form.errors or form.form_errors else 200
    return render("disclosures/edit.html", form=form, disclosure=None, status=status)


def _prefill_next_stage(form: DisclosureForm, after_id: int | None, is_summary: bool) -> None:
    """发布下一阶段 / 发布总结性公开: the new stage starts from the work's last published
    stage — what, to whom, by whom and how — linked to the work's first stage."""
    after = queries.load_for_work(after_id) if after_id else None
    if after is None or after.live_revision is None or after.withdrawn_at is not None:
        return
    live = after.live_revision
    form.first_stage_id.data = after.work_id
    form.is_summary.data = is_summary
    form.category_id.data = live.category_id
    form.catalog_entry_id.data = live.catalog_entry_id
    form.scope.data = live.scope.value
    form.cadence.data = Cadence.STAGED.value
    form.responsible_id.data = live.responsible_id or form.responsible_id.data
    form.disclosure_forms.data = [value for value in live.disclosure_forms.split(",") if value]
    form.members_first_days.data = live.members_first_days
    form.members_first_reason.data = live.members_first_reason
    if is_summary:
        form.title.data = f"{(after.first_stage or after).live_revision.title}（总结）"


@bp.get("/<int:disclosure_id>")
@policy.require(policy.can_see_work_in_progress)
def show(disclosure_id: int):
    disclosure = _load(disclosure_id)
    return render("disclosures/show.html", disclosure=disclosure, revision=disclosure.working_revision,
                  action_form=ActionForm(version_id=disclosure.version_id),
                  withdraw_form=WithdrawForm(version_id=disclosure.version_id),
                  redraft_form=RedraftForm(version_id=disclosure.version_id),
                  Action=Action, approvals_needed=services.approvals_needed(disclosure)
                  if disclosure.state == State.IN_REVIEW else None,
                  publicity=queries.publicity_period(disclosure),
                  answers=queries.opinion_answers(disclosure), adoption_form=ActionForm(),
                  Adoption=Adoption, adoption_missing=services.ADOPTION_MISSING,
                  work=queries.staged_work(disclosure),
                  end_work_form=EndWorkForm(ended_on=clock.today()))


@bp.route("/<int:disclosure_id>/edit", methods=["GET", "POST"])
@policy.require(policy.can_draft)
def edit(disclosure_id: int):
    disclosure = _load(disclosure_id)
    if not policy.can_edit_disclosure(current_user, disclosure):
        flash(f"“{disclosure.state.label}”状态的事项不能直接修改。", "error")
        return redirect(url_for("disclosures.show", disclosure_id=disclosure.id))
    form = DisclosureForm() if request.method == "POST" else _filled_form(disclosure)
    if request.method == "POST":
        _fill_choices(form)
    if form.validate_on_submit():
        try:
            services.update_draft(disclosure, _draft_input(form), actor=_user(),
                                  expected_version=_version(form),
                                  predisclosure_id=form.predisclosure_id.data,
                                  stage_of_id=form.first_stage_id.data,
                                  is_summary=form.is_summary.data)
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
            form.add_error(None, CONFLICT)
        except services.DisclosureError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
        else:
            flash("已保存。", "success")
            return redirect(_after_save(disclosure.id))
        disclosure = _load(disclosure_id)
    status = 409 if CONFLICT in form.form_errors else (422 if form.errors or form.form_errors else 200)
    return render("disclosures/edit.html", form=form, disclosure=disclosure, status=status)


def _after_save(disclosure_id: int) -> str:
    """保存并预览 (the form's `then=preview` button) goes on to the preview; 保存草稿 to the
    item's page."""
    if request.form.get("then") == "preview":
        return url_for("boards.preview", disclosure_id=disclosure_id)
    return url_for("disclosures.show", disclosure_id=disclosure_id)


def _filled_form(disclosure) -> DisclosureForm:
    """The edit form holding the working revision as saved."""
    revision = disclosure.working_revision
    form = DisclosureForm(formdata=None, obj=revision)
    _fill_choices(form)
    form.version_id.data = disclosure.version_id
    form.scope.data = revision.scope.value
    form.cadence.data = revision.cadence.value
    form.predisclosure_id.data = disclosure.predisclosure_id
    form.first_stage_id.data = disclosure.first_stage_id
    form.is_summary.data = disclosure.is_summary
    form.disclosure_forms.data = [value for value in revision.disclosure_forms.split(",") if value]
    if revision.period_start is not None:  # an older period than the list offers stays chosen
        form.period_start.data = revision.period_start.isoformat()
        if all(choice.value != form.period_start.data for choice in form.period_start.choices):
            form.period_start.choices.append(
                SelectChoice(form.period_start.data, revision.period_name))
    else:
        form.period_start.data = ""
    return form


ACTIONS = {
    "submit": (Action.SUBMIT, services.submit, "已提交审核。"),
    "publish": (Action.PUBLISH, services.publish, "已发布。"),
    "revise": (Action.REVISE, services.revise, "已开始新的修订版本；原内容在新版本审核通过并发布前继续公开。"),
    "archive": (Action.ARCHIVE, services.archive, "已归档。"),
}


@bp.post("/<int:disclosure_id>/<any(submit, publish, revise, archive):verb>")
@policy.require(policy.can_draft)
def act(disclosure_id: int, verb: str):
    disclosure = _load(disclosure_id)
    action, service, done = ACTIONS[verb]
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    if not policy.can_act(current_user, disclosure, action):
        flash(f"“{disclosure.state.label}”状态的事项不能{action.label}。", "error")
        return redirect(url_for("disclosures.show", disclosure_id=disclosure.id))
    try:
        service(disclosure, actor=_user(), expected_version=_version(form))
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        flash(CONFLICT, "error")
    except services.DisclosureError as exc:
        db.session.rollback()
        if action == Action.SUBMIT and exc.field and exc.field != "body_source":
            # A rule of publication: say it next to its field, on the edit page.
            disclosure = _load(disclosure_id)
            edit_form = _filled_form(disclosure)
            edit_form.add_error(exc.field, str(exc))
            return render("disclosures/edit.html", form=edit_form, disclosure=disclosure,
                          status=422)
        flash(str(exc), "error")
    else:
        mail_notices_after_commit()
        flash(done, "success")
    return redirect(url_for("disclosures.show", disclosure_id=disclosure_id))


def _act_with_reason(disclosure_id: int, form_class, action: Action, service, done: str,
                     refused: str):
    """An action that needs a written reason (退回草稿, 撤回): the reason's errors, or the
    refusal when the item's state does not allow it, are flashed on the item's page."""
    disclosure = _load(disclosure_id)
    form = form_class()
    if form.validate_on_submit() and policy.can_act(current_user, disclosure, action):
        try:
            service(disclosure, form.reason.data, actor=_user(), expected_version=_version(form))
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
            flash(CONFLICT, "error")
        except services.DisclosureError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(done, "success")
        return redirect(url_for("disclosures.show", disclosure_id=disclosure_id))
    for error in form.reason.errors or [refused.format(state=disclosure.state.label)]:
        flash(error, "error")
    return redirect(url_for("disclosures.show", disclosure_id=disclosure_id))


@bp.post("/<int:disclosure_id>/redraft")
@policy.require(policy.can_draft)
def redraft(disclosure_id: int):
    """退回草稿 (from review or approved), with a reason."""
    return _act_with_reason(
        disclosure_id, RedraftForm, Action.REDRAFT, services.redraft,
        "已退回草稿：可以编辑修改，完成后重新提交审核（将开始新一轮审核）。",
        "“{state}”状态的事项不能退回草稿。")


@bp.post("/<int:disclosure_id>/withdraw")
@policy.require(policy.can_draft)
def withdraw(disclosure_id: int):
    return _act_with_reason(disclosure_id, WithdrawForm, Action.WITHDRAW, services.withdraw,
                            "已撤回：该事项已从所有公开栏移除。", "该事项当前不能撤回。")


@bp.post("/<int:disclosure_id>/adoptions")
@policy.require(policy.can_draft)
def adoptions(disclosure_id: int):
    """采纳情况: the formal version's answer to each opinion on its pre-disclosure."""
    disclosure = _load(disclosure_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    if not policy.can_edit_disclosure(current_user, disclosure):
        flash("采纳情况只能在草稿中填写：请先退回草稿或修订。", "error")
        return redirect(url_for("disclosures.show", disclosure_id=disclosure_id))
    answers = [services.AdoptionInput(opinion.id, request.form.get(f"outcome_{opinion.id}", ""),
                                      request.form.get(f"reason_{opinion.id}", ""))
               for opinion, _answer in queries.opinion_answers(disclosure)]
    return _attempt(disclosure_id, "#adoptions",
                    lambda: services.record_adoptions(disclosure, answers, actor=_user()),
                    lambda saved: f"已保存 {saved} 条意见的采纳情况。", refused="采纳情况未保存：")


def _attempt(disclosure_id: int, anchor: str, step, done, refused: str = ""):
    """Run `step` (a service call) and commit; flash `done(its result)`, or the refusal
    (after `refused`) with nothing kept; back to the part `anchor` of the item's page."""
    try:
        result = step()
        db.session.commit()
    except services.DisclosureError as exc:
        db.session.rollback()
        flash(f"{refused}{exc}", "error")
    else:
        flash(done(result), "success")
    return redirect(url_for("disclosures.show", disclosure_id=disclosure_id) + anchor)


@bp.post("/<int:disclosure_id>/end-work")
@policy.require(policy.can_draft)
def end_work(disclosure_id: int):
    """本项工作已结束 (on any stage of a 分期 work; recorded on its first stage)."""
    disclosure = _load(disclosure_id)
    form = EndWorkForm()
    if not form.validate_on_submit():
        for error in form.ended_on.errors or ["请填写本项工作结束的日期。"]:
            flash(error, "error")
        return redirect(url_for("disclosures.show", disclosure_id=disclosure_id) + "#stages")
    return _attempt(disclosure_id, "#stages",
                    lambda: services.end_work(disclosure, form.ended_on.data, actor=_user()),
                    lambda first: f"已标记本项工作于 {form.ended_on.data} 结束。{_summary_owed(first)}")


def _summary_owed(first) -> str:
    work = queries.staged_work(first)
    if work is None or work.summary is None or work.summary_done:
        return ""
    return f"本项工作跨年度，须于 {work.summary.due} 前发布总结性公开。"


@bp.post("/<int:disclosure_id>/reopen-work")
@policy.require(policy.can_draft)
def reopen_work(disclosure_id: int):
    """撤销结束: a work marked as ended by mistake goes on."""
    disclosure = _load(disclosure_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return _attempt(disclosure_id, "#stages", lambda: services.reopen_work(disclosure, actor=_user()),
                    lambda _first: "已撤销结束：本项工作继续进行，可以发布下一阶段。")
