"""Helpers for the supervision tests: feedback and notes built through the real services,
and the canaries that must never appear where the supervisors look."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from dwgk.accounts.models import User
from dwgk.extensions import db

CANARY_NAME = "CANARY-李四-9x1"
CANARY_PHONE = "13900139000"
CANARY_EMAIL = "canary-9x1@example.cn"
CANARIES = (CANARY_NAME, CANARY_PHONE, CANARY_EMAIL, "canary-9x1", "13900")


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def make_feedback(app, *, body: str = "建议公开栏增加党费使用明细。", named: bool = False,
         disclosure_id: int | None = None, received_on: date | None = None,
         logged_by: str | None = None, **fields) -> int:
    """A feedback filing through feedback.services.file_feedback (from the public, or
    logged by the office user `logged_by`); returns its id."""
    from dwgk.feedback.services import FeedbackInput, file_feedback

    with app.app_context():
        data = FeedbackInput(body=body, disclosure_id=disclosure_id, is_named=named,
                             received_on=received_on, **fields)
        if named:
            data.filer_name = data.filer_name or CANARY_NAME
            data.filer_phone = data.filer_phone or CANARY_PHONE
            data.filer_email = data.filer_email or CANARY_EMAIL
        feedback, _code = file_feedback(data, logged_by=user(logged_by) if logged_by else None)
        db.session.commit()
        return feedback.id


def make_note(app, *, author: str = "supervisor", body: str = "公示期偏短，建议延长至 5 个工作日。",
         topic: str = "timing", disclosure_id: int | None = None,
         catalog_entry_id: int | None = None) -> int:
    """A supervision note through supervision.services.file_note; returns its id."""
    from dwgk.supervision.services import NoteInput, file_note

    with app.app_context():
        created = file_note(NoteInput(topic=topic, body=body, disclosure_id=disclosure_id,
                                      catalog_entry_id=catalog_entry_id), author=user(author))
        db.session.commit()
        return created.id


def answer(app, note_id: int, text: str = "已按意见将公示期延长至 5 个工作日。",
           by: str = "office") -> None:
    from dwgk.supervision.models import SupervisionNote
    from dwgk.supervision.services import answer_note

    with app.app_context():
        answer_note(db.session.get(SupervisionNote, note_id), text, actor=user(by))
        db.session.commit()


def make_item(app, **overrides) -> int:
    """A published item (public at once unless overridden); returns its id."""
    from tests.factories import make_disclosure

    with app.app_context():
        created = make_disclosure(**overrides)
        db.session.commit()
        return created.id


def set_reply_workdays(app, *, feedback: int, supervision: int) -> None:
    from dwgk.core import settings

    with app.app_context():
        settings.update(actor=None, unit_name="测试学校党支部", members_first_days=1,
                        review_due_workdays=3, feedback_reply_workdays=feedback,
                        supervision_reply_workdays=supervision)
        db.session.commit()
