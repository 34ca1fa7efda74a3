from __future__ import annotations

from wtforms import (BooleanField, HiddenField, IntegerField, SelectField, SelectMultipleField,
                     StringField, TextAreaField)
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from dwgk.catalog.models import Cadence, FormOfDisclosure, Scope
from dwgk.catalog.services import FREQUENCY_LABELS, NAME_MAX, POSITION_MAX, TEXT_MAX, TITLE_MAX
from dwgk.web.forms import BaseForm, optional_int

SCOPE_CHOICES = [SelectChoice(s.value, s.label) for s in Scope]
CADENCE_CHOICES = [SelectChoice(c.value, c.label) for c in Cadence]
PERIOD_CHOICES = [SelectChoice("", "（非定期公开，不填）")] + [
    SelectChoice(months, label) for months, label in FREQUENCY_LABELS.items()]
ACTIVE_LABEL = "启用（停用后不再列入公开目录；已发布的事项不受影响）"



class FormsField(SelectMultipleField):
    """公开形式: checkboxes of FormOfDisclosure; `data` is the list of values ticked."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label="公开形式", **kwargs):
        kwargs.setdefault("choices", [SelectChoice(f.value, f.label) for f in FormOfDisclosure])
        kwargs.setdefault("invalid_choice_message", "请选择有效的公开形式。")
        super().__init__(label, **kwargs)

    def process_data(self, value):
        # a stored value ("board,website") or a list of values
        super().process_data(value.split(",") if isinstance(value, str) and value else value)


class PositionField(IntegerField):
    """An integer 0..POSITION_MAX, with its messages in Chinese."""

    message = f"排序须为 0 至 {POSITION_MAX} 的整数。"

    def __init__(self, label="排序", **kwargs):
        kwargs.setdefault("default", 0)
        kwargs.setdefault("description", "数字越小越靠前。")
        super().__init__(label, validators=[
            InputRequired(f"请填写排序（0 至 {POSITION_MAX} 的整数）。"),
            NumberRange(0, POSITION_MAX, self.message)], invalid_value_message=self.message,
            **kwargs)

    def post_validate(self, form, validation_stopped):
        # "abc" fails both the parse and the range check with the same message: show it once.
        self.errors = list(dict.fromkeys(self.errors))


class CategoryForm(BaseForm):
    name = StringField("类别名称", validators=[
        DataRequired("请填写类别名称。"), Length(max=NAME_MAX, message=f"类别名称不能超过 {NAME_MAX} 个字。")])
    description = TextAreaField("说明", validators=[
        Length(max=TEXT_MAX, message=f"说明不能超过 {TEXT_MAX} 个字。")])
    position = PositionField()
    active = BooleanField(ACTIVE_LABEL, default=True)


class CatalogEntryForm(BaseForm):
    version_id = HiddenField()
    category_id = SelectField("公开内容类别", coerce=optional_int,
                              invalid_choice_message="请选择有效的公开内容类别。",
                              validators=[InputRequired("请选择公开内容类别。")])
    title = StringField("公开事项", validators=[
        DataRequired("请填写公开事项名称。"),
        Length(max=TITLE_MAX, message=f"公开事项名称不能超过 {TITLE_MAX} 个字。")],
        description="如“党费收缴、使用和管理情况”。")
    content = TextAreaField("公开内容", validators=[
        Length(max=TEXT_MAX, message=f"公开内容不能超过 {TEXT_MAX} 个字。")],
        description="具体公开哪些内容。")
    scope = SelectField("公开范围", choices=SCOPE_CHOICES, default=Scope.PUBLIC.value,
                        invalid_choice_message="请选择公开范围。")
    cadence = SelectField("公开时限", choices=CADENCE_CHOICES, default=Cadence.PERIODIC.value,
                          invalid_choice_message="请选择公开时限。")
    period_months = SelectField(
        "公开周期（定期公开）", choices=PERIOD_CHOICES, coerce=optional_int, default=3,
        invalid_choice_message="公开周期只能是每月、每季度、每半年或每年。",
        description="定期公开的条目必填，于每个周期的最后一日前公开；其他公开时限请留空。")
    responsible_id = SelectField("责任人", coerce=optional_int,
                                 invalid_choice_message="请选择有效的责任人。")
    basis = TextAreaField("依据", validators=[
        Length(max=TEXT_MAX, message=f"依据不能超过 {TEXT_MAX} 个字。")],
        description="要求公开的党内法规或实施方案条款。")
    disclosure_forms = FormsField(description="可多选；该条目下新建的事项默认采用这些形式。")
    position = PositionField()
    active = BooleanField(ACTIVE_LABEL, default=True)
