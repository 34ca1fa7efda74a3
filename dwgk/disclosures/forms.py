from __future__ import annotations

from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from dwgk.catalog.forms import FormsField
from dwgk.catalog.models import Cadence, Scope
from dwgk.feedback.forms import BAD_DATE
from dwgk.web.forms import BaseForm, optional_int

SCOPE_CHOICES = [SelectChoice(s.value, s.label) for s in Scope]
CADENCE_CHOICES = [SelectChoice(c.value, c.label) for c in Cadence]



class DisclosureForm(BaseForm):
    """Drafting and editing a disclosure (the working revision)."""

    version_id = HiddenField()
    title = StringField("标题", validators=[DataRequired("请填写标题。"), Length(max=200, message="标题不能超过 200 个字。")])
    body_source = TextAreaField(
        "正文", validators=[Length(max=100_000, message="正文不能超过 10 万字。")],
        description="可直接从 Word、Excel 或微信复制粘贴；工具栏可设标题、加粗、列表和插入图片。")
    category_id = SelectField("公开内容类别", coerce=optional_int,
                              validators=[InputRequired("请选择公开内容类别。")])
    catalog_entry_id = SelectField("对应目录条目（可选）", coerce=optional_int, validators=[Optional()])
    scope = SelectField("公开范围", choices=SCOPE_CHOICES, default=Scope.PUBLIC.value)
    cadence = SelectField("公开时限", choices=CADENCE_CHOICES, default=Cadence.IMMEDIATE.value)
    responsible_id = SelectField("责任人", coerce=optional_int, validators=[Optional()])
    disclosure_forms = FormsField(description="可多选；不选时采用所对应目录条目的公开形式。")
    result_date = DateField("结果产生日期（分期公开）", validators=[Optional()],
                            description="分期公开的事项，结果须在此日期后 7 日内公开。")
    period_start = SelectField("所属期次（定期公开）", validators=[Optional()], validate_choice=False,
                               description="定期公开的目录条目：本事项公开的是哪一期（默认本期）；"
                                           "更正上一期的内容请选上一期。")
    publicity_workdays = IntegerField(
        "公示期（工作日，可选）", validators=[Optional(), NumberRange(1, 60, "公示期须为 1 至 60 个工作日。")],
        description="如任前公示 5 个工作日；期满自动归档。")
    is_major = BooleanField("重大事项（须领导小组集体决策）")
    members_first_days = IntegerField(
        "党内先行公开（天）", default=1,
        validators=[InputRequired("请填写党内先行公开天数。"), NumberRange(0, 30, "党内先行期须为 0 至 30 天。")],
        description="先党内、后党外：社会公开事项在党内公开栏先行公开的天数。")
    members_first_reason = TextAreaField("先行期为 0 天的理由", validators=[Length(max=1000)])
    is_predisclosure = BooleanField("预公开（决策前征求意见）")
    decision_date = DateField("拟决策日期（预公开）", validators=[Optional()],
                              description="须在发布之日起至少 15 日后。")
    predisclosure_id = SelectField("对应的预公开稿（正式版本填写）", coerce=optional_int,
                                   validators=[Optional()])
    first_stage_id = SelectField("属于哪项分期工作（后续阶段填写）", coerce=optional_int,
                                 validators=[Optional()],
                                 description="跨月、跨年的分期工作：后续阶段选第一阶段，各阶段互相关联。")
    is_summary = BooleanField("总结性公开（本项工作结束后的总结）")
    change_note = TextAreaField("修订说明（再公开时填写）", validators=[Length(max=2000)])


class ActionForm(BaseForm):
    """The buttons on an item: submit, publish, revise, archive (CSRF and version only)."""

    version_id = HiddenField()


class WithdrawForm(BaseForm):
    version_id = HiddenField()
    reason = TextAreaField("撤回理由", validators=[DataRequired("撤回须写明理由。"), Length(max=1000)])


class RedraftForm(BaseForm):
    """退回草稿: the office takes an item in review or approved back to draft."""

    version_id = HiddenField()
    reason = TextAreaField("退回草稿的理由", validators=[DataRequired("退回草稿须写明理由。"),
                                                   Length(max=1000)])


class EndWorkForm(BaseForm):
    """本项工作已结束: the day a 分期 work ended."""

    ended_on = DateField("结束日期", validators=[InputRequired("请填写本项工作结束的日期。")],
                         invalid_value_message=BAD_DATE)
