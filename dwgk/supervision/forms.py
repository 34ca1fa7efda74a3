"""Forms of the supervision pages. The services check everything again; the forms give each
field its Chinese message at once."""
from __future__ import annotations

from wtforms import BooleanField, DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from dwgk.feedback.models import FeedbackKind
from dwgk.feedback.services import BODY_MAX as FEEDBACK_MAX
from dwgk.feedback.forms import check_named_contact
from dwgk.supervision.models import NoteTopic
from dwgk.disclosures.models import Adoption
from dwgk.supervision.services import ANSWER_MAX, BODY_MAX
from dwgk.web.forms import BaseForm, optional_int

TOPIC_CHOICES = [SelectChoice(topic.value, topic.label) for topic in NoteTopic]
KIND_CHOICES = [SelectChoice(kind.value, kind.label) for kind in FeedbackKind]
ADOPTION_CHOICES = [SelectChoice(adoption.value, adoption.label) for adoption in Adoption]
ITEM_PICK_LABEL = "针对的公开事项（可选）"


class NoteNewForm(BaseForm):
    """A supervision note (监督意见) on an item, a catalog entry, or in general."""

    disclosure_id = HiddenField(filters=[optional_int])
    # The item picker, when the form was not opened from an item's page (choices: the routes).
    item_pick = SelectField(ITEM_PICK_LABEL, coerce=optional_int, validate_choice=False,
                            validators=[Optional()])
    catalog_entry_id = SelectField("针对的目录条目（可选）", coerce=optional_int, validate_choice=False,
                                   validators=[Optional()])
    topic = RadioField("意见类别", choices=TOPIC_CHOICES,
                       validators=[InputRequired("请选择意见类别。")])
    body = TextAreaField("监督意见", validators=[
        DataRequired("请填写监督意见。"),
        Length(max=BODY_MAX, message=f"监督意见不能超过 {BODY_MAX} 字。")])


class NoteAnswerForm(BaseForm):
    """The office's answer to a note; version_id refuses a form that went stale."""

    version_id = HiddenField()
    answer_text = TextAreaField("答复内容", validators=[
        DataRequired("请填写答复内容。"),
        Length(max=ANSWER_MAX, message=f"答复不能超过 {ANSWER_MAX} 字。")])
    adoption = RadioField("采纳情况", choices=ADOPTION_CHOICES,
                          validators=[InputRequired("请选择采纳情况。")])


class RelayForm(BaseForm):
    """An opinion a supervisor collected in person, relayed on the person's behalf."""

    disclosure_id = HiddenField(filters=[optional_int])
    item_pick = SelectField(ITEM_PICK_LABEL, coerce=optional_int, validate_choice=False,
                            validators=[Optional()])
    kind = RadioField("类型", choices=KIND_CHOICES, default=FeedbackKind.OPINION.value,
                      validators=[InputRequired("请选择类型。")])
    body = TextAreaField("意见内容", validators=[
        DataRequired("请填写意见内容。"),
        Length(max=FEEDBACK_MAX, message=f"内容不能超过 {FEEDBACK_MAX} 字。")])
    received_on = DateField("当面收到的日期", validators=[InputRequired("请填写收到日期。")])
    is_named = BooleanField("本人愿意实名反映（留下姓名和联系方式，以便办公室答复）")
    filer_name = StringField("反映人姓名", validators=[Length(max=50, message="姓名不能超过 50 字。")])
    filer_phone = StringField("电话", validators=[Length(max=30, message="电话号码不能超过 30 位。")])
    filer_email = StringField("电子邮箱", validators=[Length(max=254, message="电子邮箱过长。")])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.is_named.data:
            return valid
        return check_named_contact(self) and valid
