"""Helpers for the feedback tests: filings made through the real services."""
from __future__ import annotations

import re

from dwgk.extensions import db
from dwgk.feedback import services
from dwgk.feedback.models import Channel, FeedbackKind

CODE = re.compile(r'id="lookup-code">([0-9A-Z-]{19})<')

# Canaries: personal details that must never show anywhere public.
CANARY_NAME = "CANARY-张三-7q2"
CANARY_PHONE = "13800138000"
CANARY_EMAIL = "canary-7q2@example.cn"
CANARIES = (CANARY_NAME, CANARY_PHONE, CANARY_EMAIL)


def file(disclosure_id=None, *, named=True, kind=FeedbackKind.OPINION, body="建议公示时附上名单。",
         channel=Channel.WEB, name=CANARY_NAME, phone=CANARY_PHONE, email=CANARY_EMAIL, **kwargs):
    """A filing (inside an app context; flushed, not committed): (feedback, code)."""
    data = services.FeedbackInput(
        body=body, kind=kind, disclosure_id=disclosure_id, is_named=named,
        filer_name=name if named else "", filer_phone=phone if named else "",
        filer_email=email if named else "", channel=channel)
    return services.file_feedback(data, **kwargs)


def file_committed(app, disclosure_id=None, **kwargs) -> tuple[int, str]:
    with app.app_context():
        feedback, code = file(disclosure_id, **kwargs)
        db.session.commit()
        return feedback.id, code


def code_on(html: str) -> str | None:
    match = CODE.search(html)
    return match.group(1) if match else None


def version_of(app, feedback_id: int) -> int:
    from dwgk.feedback.models import Feedback

    with app.app_context():
        return db.session.get(Feedback, feedback_id).version_id
