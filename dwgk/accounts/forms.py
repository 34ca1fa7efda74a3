from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from dwgk.accounts.models import Role
from dwgk.web.forms import BaseForm

ROLE_CHOICES = [SelectChoice(role.value, role.label) for role in Role]


class LoginForm(BaseForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名。"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码。"), Length(max=128)])


class PasswordChangeForm(BaseForm):
    current_password = PasswordField("当前密码", validators=[DataRequired("请输入当前密码。")])
    new_password = PasswordField("新密码", validators=[DataRequired("请输入新密码。")])
    confirm_password = PasswordField(
        "再次输入新密码",
        validators=[DataRequired("请再次输入新密码。"), EqualTo("new_password", "两次输入的新密码不一致。")],
    )


class RoleField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        valid = {choice.value for choice in self.choices}
        for value in self.data or []:
            if value not in valid:
                raise ValidationError("未知角色。")


class UserCreateForm(BaseForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名。"), Length(max=64, message="用户名最长 64 个字符。")])
    display_name = StringField("姓名", validators=[DataRequired("请输入姓名。"), Length(max=64, message="姓名最长 64 个字符。")])
    email = EmailField("电子邮箱（可选）", validators=[Optional(), Email("邮箱格式不正确。", check_deliverability=False), Length(max=254)])
    roles = RoleField("角色", choices=ROLE_CHOICES)
    password = PasswordField("初始密码", validators=[DataRequired("请设置初始密码。")])

    # The services check these again; checking here too shows every problem at once.
    def validate_username(self, field):
        from dwgk.accounts.services import username_problem

        problem = username_problem(field.data or "")
        if problem:
            raise ValidationError(problem)

    def validate_password(self, field):
        from dwgk.accounts.services import password_problem

        problem = password_problem(field.data or "", self.username.data or "")
        if problem:
            raise ValidationError(problem)


class UserEditForm(BaseForm):
    display_name = StringField("姓名", validators=[DataRequired("请输入姓名。"), Length(max=64, message="姓名最长 64 个字符。")])
    email = EmailField("电子邮箱（可选）", validators=[Optional(), Email("邮箱格式不正确。", check_deliverability=False), Length(max=254)])
    roles = RoleField("角色", choices=ROLE_CHOICES)


class PasswordResetForm(BaseForm):
    password = PasswordField("临时密码", validators=[DataRequired("请输入临时密码。")])

    def validate_password(self, field):
        from dwgk.accounts.services import password_problem

        problem = password_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


class UserActiveForm(BaseForm):
    active = BooleanField()


class UnitSettingsForm(BaseForm):
    from wtforms import IntegerField as _IntegerField
    from wtforms.validators import InputRequired as _InputRequired, NumberRange as _NumberRange

    unit_name = StringField("单位名称", validators=[DataRequired("请填写单位名称。"), Length(max=100, message="单位名称最长 100 个字。")],
                            description="显示在每页页首和打印的公告上，例如“××小学党支部”。")
    report_addressee = StringField("专题报告报送单位", validators=[DataRequired("请填写报送单位。"), Length(max=100, message="报送单位最长 100 个字。")],
                                   description="专题报告的抬头，例如学校填“乡（镇）纪委”，机关填“市纪委”或“上级党组”。")
    members_first_days = _IntegerField("党内先行公开（天）", validators=[_InputRequired("请填写天数。"), _NumberRange(0, 30, "须为 0 至 30 之间的整数。")],
                                       description="新建社会公开事项的默认值：先在党内公开栏公开的天数。")
    review_due_workdays = _IntegerField("审核期限（工作日）", validators=[_InputRequired("请填写天数。"), _NumberRange(1, 30, "须为 1 至 30 之间的整数。")],
                                        description="事项在审核队列中超过此期限时提醒领导小组。")
    feedback_reply_workdays = _IntegerField("意见答复期限（工作日）", validators=[_InputRequired("请填写天数。"), _NumberRange(1, 60, "须为 1 至 60 之间的整数。")],
                                            description="实名意见建议须在此期限内答复。")
    supervision_reply_workdays = _IntegerField("监督意见答复期限（工作日）", validators=[_InputRequired("请填写天数。"), _NumberRange(1, 60, "须为 1 至 60 之间的整数。")])
