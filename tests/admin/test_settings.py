"""The admin's unit settings."""
from __future__ import annotations

import re

from sqlalchemy import select

from dwgk.core.audit import AuditEvent
from dwgk.extensions import db
from tests.support import field_errors, text_of

VALUES = {"unit_name": "青山村小学党支部", "members_first_days": "2", "review_due_workdays": "3",
          "feedback_reply_workdays": "15", "supervision_reply_workdays": "10",
          "report_addressee": "乡纪委"}


def test_admin_changes_the_unit_name_and_defaults(app, users, login_as):
    admin = login_as("admin")
    assert "示例学校党支部" in text_of(admin.get("/admin/settings"))
    assert admin.form_post("/admin/settings", VALUES).status_code == 302
    assert "青山村小学党支部" in text_of(app.test_client().get("/"))
    office = login_as("office")
    new_item = text_of(office.get("/office/items/new"))
    assert re.search(r'<input[^>]*name="members_first_days"[^>]*value="2"', new_item)
    with app.app_context():
        summary = db.session.scalar(select(AuditEvent.summary).where(AuditEvent.action == "settings.update"))
    assert "unit_name: 示例学校党支部 → 青山村小学党支部" in summary


def test_bad_settings_are_refused_next_to_the_field(app, users, login_as):
    response = login_as("admin").form_post("/admin/settings", dict(
        VALUES, unit_name="", members_first_days="31", feedback_reply_workdays="abc"))
    assert response.status_code == 422
    errors = field_errors(response)
    assert "请填写单位名称。" in errors
    assert "须为 0 至 30 之间的整数。" in errors
    assert len(errors) == 3  # the non-number is refused too
