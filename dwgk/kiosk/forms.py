"""The admin's screen form: Chinese messages next to each field; the service checks again."""
from __future__ import annotations

from wtforms import BooleanField, HiddenField, IntegerField, RadioField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from dwgk.kiosk.models import Orientation
from dwgk.kiosk.services import NAME_MAX, NOTICE_MAX, ROTATION_MAX, ROTATION_MIN, SLUG
from dwgk.web.forms import BaseForm

ROTATION_MESSAGE = f"轮播间隔须为 {ROTATION_MIN} 至 {ROTATION_MAX} 秒之间的整数。"


class CategoriesField(SelectMultipleField):
    """Checkboxes; none ticked means every category."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, **kwargs):
        super().__init__(label, coerce=int, **kwargs)

    def process_formdata(self, valuelist):
        try:
            self.data = [int(value) for value in valuelist]
        except ValueError:
            self.data = None
            raise ValueError("请选择有效的公开内容类别。") from None

    def pre_validate(self, form):
        valid = {choice.value for choice in self.choices}
        if any(value not in valid for value in self.data or []):
            raise ValidationError("请选择有效的公开内容类别。")


class RotationField(IntegerField):
    widget = TextInput()  # styled like the other fields; inputmode="numeric" brings the keypad

    def __init__(self, label, **kwargs):
        super().__init__(label, validators=[InputRequired(ROTATION_MESSAGE),
                                            NumberRange(ROTATION_MIN, ROTATION_MAX, ROTATION_MESSAGE)],
                         invalid_value_message=ROTATION_MESSAGE, **kwargs)

    def post_validate(self, form, validation_stopped):
        # "abc" fails both the parse and the range check with the same message: show it once.
        self.errors = list(dict.fromkeys(self.errors))


class KioskScreenForm(BaseForm):
    # The version the form was opened on (the screen's updated_at), for the conflict check.
    updated_at = HiddenField()
    name = StringField("屏幕名称", validators=[
        DataRequired("请填写屏幕名称。"), Length(max=NAME_MAX, message=f"屏幕名称不能超过 {NAME_MAX} 个字。")],
        description="如“教学楼大厅”，只在管理页显示。")
    slug = StringField("地址标识", validators=[
        DataRequired("请填写地址标识。"),
        Regexp(SLUG.pattern + "$", message="地址标识须为 1 至 40 个小写字母、数字或连字符（-）。")],
        description="屏幕的地址为 /kiosk/地址标识；标识为 default 的屏幕也是 /kiosk 显示的内容。")
    categories = CategoriesField("显示的公开内容类别",
                                 description="不勾选则显示全部类别。")
    rotation_seconds = RotationField("轮播间隔（秒）", default=15,
                                     description=f"每条事项显示的时间，{ROTATION_MIN} 至 {ROTATION_MAX} 秒。")
    orientation = RadioField("屏幕方向", default=Orientation.LANDSCAPE.value,
                             choices=[SelectChoice(o.value, o.label) for o in Orientation],
                             invalid_choice_message="请选择屏幕方向。",
                             description="记录屏幕的安装方向；版式按屏幕实际的横竖自动调整。")
    notice_line = StringField("滚动通知（可选）", validators=[
        Length(max=NOTICE_MAX, message=f"滚动通知不能超过 {NOTICE_MAX} 个字。")],
        description=f"在屏幕底部滚动显示的一行文字，最多 {NOTICE_MAX} 个字。")
    active = BooleanField("启用（停用后该屏幕的地址显示“未找到”，已打开的屏幕保留最后的内容）",
                          default=True)
