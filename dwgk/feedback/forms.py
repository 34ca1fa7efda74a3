"""Forms of the feedback pages. The services check everything again; the forms are here so
that each field gets its own Chinese message at once."""
from __future__ import annotations

from wtforms import DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from dwgk.feedback.models import Channel, FeedbackKind, ReplyMethod
from dwgk.feedback.services import BODY_MAX, EMAIL, PHONE
from dwgk.web.forms import BaseForm, optional_int

KIND_CHOICES = [SelectChoice(k.value, k.label) for k in FeedbackKind]
IDENTITY_CHOICES = [SelectChoice("anonymous", "匿名"), SelectChoice("named", "实名")]
OFFLINE_CHANNELS = [Channel.IN_PERSON, Channel.PHONE, Channel.LETTER, Channel.BOX]
REPLY_METHOD_CHOICES = [SelectChoice(m.value, m.label) for m in ReplyMethod]
BAD_DATE = "日期格式不正确，请按 2026-01-31 的格式填写。"



def check_named_contact(form) -> bool:
    """A named filing needs a name and a phone or e-mail, well formed: the errors go next to
    the fields of `form` (which has filer_name, filer_phone, filer_email). True when fine."""
    name, phone, email = (form.filer_name.data or "", form.filer_phone.data or "",
                          form.filer_email.data or "")
    if not name:
        form.filer_name.errors.append("实名反映须填写姓名。")
    if not phone and not email:
        form.filer_phone.errors.append("实名反映须留下电话或电子邮箱，以便答复。")
    if phone and not form.filer_phone.errors and not PHONE.match(phone):
        form.filer_phone.errors.append("电话号码格式不正确。")
    if email and not form.filer_email.errors and not EMAIL.match(email):
        form.filer_email.errors.append("电子邮箱格式不正确。")
    return not (form.filer_name.errors or form.filer_phone.errors or form.filer_email.errors)

class ChineseForm(BaseForm):
    """WTForms' own messages (a tampered choice, say) in Chinese too."""

    class Meta:
        locales = ("zh",)


class FeedbackForm(ChineseForm):
    """An opinion or report, from the public or a signed-in member."""

    kind = RadioField("类型", choices=KIND_CHOICES, default=FeedbackKind.OPINION.value,
                      validators=[InputRequired("请选择类型。")])
    disclosure_id = SelectField("针对的公开事项", coerce=optional_int, validate_choice=False,
                                validators=[Optional()])
    body = TextAreaField("意见内容", validators=[
        DataRequired("请填写意见内容。"),
        Length(max=BODY_MAX, message=f"内容不能超过 {BODY_MAX} 字。")])
    identity = RadioField("署名方式", choices=IDENTITY_CHOICES, default="anonymous",
                          validators=[InputRequired("请选择实名或匿名。")])
    filer_name = StringField("姓名", validators=[Length(max=50, message="姓名不能超过 50 字。")])
    filer_phone = StringField("电话", validators=[Length(max=30, message="电话号码不能超过 30 位。")])
    filer_email = StringField("电子邮箱", validators=[Length(max=254, message="电子邮箱过长。")])
    # The honeypot: hidden from people by a CSS class, so only a robot fills it in.
    website = StringField("网址（请勿填写）")

    @property
    def is_named(self) -> bool:
        return self.identity.data == "named"

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.is_named:
            return valid
        return check_named_contact(self) and valid


class LogForm(FeedbackForm):
    """The office enters an opinion received in person, by phone, by letter or in the box."""

    channel = SelectField("收到方式", choices=[SelectChoice(c.value, c.label) for c in OFFLINE_CHANNELS],
                          default=Channel.IN_PERSON.value)
    received_on = DateField("收到日期", validators=[InputRequired("请填写收到日期。")],
                            invalid_value_message=BAD_DATE)
    website = None  # no honeypot inside the office


class LookupForm(ChineseForm):
    code = StringField("查询码", validators=[DataRequired("请输入查询码。"),
                                          Length(max=40, message="未找到与该查询码对应的意见。")])


class VersionedForm(ChineseForm):
    """Every handling form carries the version it was drawn from: a stale one is refused."""

    version_id = HiddenField(validators=[DataRequired("表单已过期，请刷新页面后重试。")])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.form_errors.extend(self.version_id.errors)  # a hidden field's error is the form's
        return valid

    @property
    def version(self) -> int | None:
        try:
            return int(self.version_id.data)
        except (TypeError, ValueError):
            return None


class AssignForm(VersionedForm):
    # The service says why someone cannot be assigned; the choice check would only say "no".
    assignee_id = SelectField("分派给", coerce=optional_int, validate_choice=False,
                              validators=[InputRequired("请选择承办人。")])


class ReplyForm(VersionedForm):
    reply_text = TextAreaField("答复内容", validators=[
        DataRequired("请填写答复内容。"),
        Length(max=BODY_MAX, message=f"答复不能超过 {BODY_MAX} 字。")])
    reply_method = SelectField("答复方式", choices=REPLY_METHOD_CHOICES,
                               validators=[InputRequired("请选择答复方式。")])
    reply_date = DateField("答复日期", validators=[InputRequired("请填写答复日期。")],
                           invalid_value_message=BAD_DATE)


class ResultForm(VersionedForm):
    result_text = TextAreaField("公开的处理结果", validators=[
        DataRequired("请填写要公开的处理结果。"),
        Length(max=BODY_MAX, message=f"处理结果不能超过 {BODY_MAX} 字。")])


class HandlerReplyForm(BaseForm):
    """The handler's proposed answer (承办人办理意见), for the office to send."""

    handler_reply = TextAreaField("办理意见（拟答复内容）", validators=[
        DataRequired("请填写办理意见。"),
        Length(max=BODY_MAX, message=f"办理意见不能超过 {BODY_MAX} 字。")])


class CloseForm(VersionedForm):
    pass
