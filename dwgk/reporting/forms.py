"""Forms of the reporting pages."""
from __future__ import annotations

from wtforms import TextAreaField
from wtforms.validators import Length

from dwgk.reporting.services import NARRATIVE_MAX
from dwgk.web.forms import BaseForm


class ReportNarrativeForm(BaseForm):
    """The office's narrative of a summary report (工作情况说明)."""

    narrative = TextAreaField("工作情况说明（主要做法、存在问题和下一步打算）", validators=[
        Length(max=NARRATIVE_MAX, message=f"工作情况说明不能超过 {NARRATIVE_MAX} 字。")])
