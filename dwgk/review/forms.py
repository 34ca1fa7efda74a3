from __future__ import annotations

from wtforms import BooleanField, DateField, HiddenField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from dwgk.disclosures.models import Decision
from dwgk.web.forms import BaseForm


class ReviewForm(BaseForm):
    version_id = HiddenField()
    decision = RadioField("审核意见", choices=[SelectChoice(d.value, d.label) for d in Decision],
                          validators=[InputRequired("请选择同意公开或退回修改。")])
    check_content = BooleanField("内容：真实、准确、完整")
    check_form = BooleanField("形式：公开方式恰当")
    check_scope = BooleanField("范围：党内公开 / 社会公开 恰当")
    check_timing = BooleanField("时间：符合公开时限")
    check_duration = BooleanField("时长：公示期、保留期恰当")
    check_secrecy = BooleanField("保密审查：不涉及党内秘密")
    reason = TextAreaField("意见或退回理由", validators=[Length(max=2000, message="不能超过 2000 字。")])
    meeting_date = DateField("会议日期", validators=[Optional()])
    meeting_attendees = TextAreaField("参会人员", validators=[Length(max=1000)])
    meeting_decision = TextAreaField("集体决定内容", validators=[Length(max=2000)])

    CHECKS = ("check_content", "check_form", "check_scope", "check_timing", "check_duration",
              "check_secrecy")
