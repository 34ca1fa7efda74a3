"""The audit log is append-only and admins can read it filtered and paginated."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from dwgk.core.audit import AuditEvent, AuditEventImmutable
from dwgk.core.audit import record
from dwgk.extensions import db
from tests.support import text_of


def test_audit_events_cannot_be_updated_or_deleted(app):
    with app.app_context():
        record("login.failure", summary="x", object_type="app_user", object_id="1")
        db.session.commit()
        event = db.session.scalar(select(AuditEvent))
        event.summary = "rewritten"
        with pytest.raises(AuditEventImmutable):
            db.session.commit()
        db.session.rollback()
        db.session.delete(db.session.scalar(select(AuditEvent)))
        with pytest.raises(AuditEventImmutable):
            db.session.commit()
        db.session.rollback()
        assert db.session.scalar(select(AuditEvent.summary)) == "x"


def test_admin_filters_and_pages_the_log(app, users, login_as, frozen_clock):
    frozen_clock(datetime(2026, 10, 8, 9, 30))
    with app.app_context():
        for number in range(60):
            record("login.failure", summary=f"用户名：guess{number}", object_type="app_user")
        db.session.commit()
    frozen_clock(datetime(2026, 10, 9, 9, 30))
    admin = login_as("admin")

    page = text_of(admin.get("/admin/audit?action=login.failure"))
    assert "共 60 条，第 1 / 2 页" in page
    assert "登录失败" in page and "下一页" in page
    page2 = text_of(admin.get("/admin/audit?action=login.failure&page=2"))
    assert page2.count("<tr>") == 1 + 10  # header row + the remaining ten

    by_day = text_of(admin.get("/admin/audit?start=2026-10-09&end=2026-10-09"))
    by_day = by_day.split('id="audit-table"')[1]  # the table, not the filter's options
    assert "登录成功" in by_day and "登录失败" not in by_day
    assert "2026-10-09 09:30:00" in by_day  # shown in Beijing time

    by_actor = text_of(admin.get("/admin/audit?actor=ADMIN"))
    assert "共 1 条" in by_actor


def test_htmx_filter_gets_only_the_table(login_as):
    admin = login_as("admin")
    response = admin.get("/admin/audit?action=login.success", headers={"HX-Request": "true"})
    html = text_of(response)
    assert html.lstrip().startswith('<section id="audit-table">')
    assert "<html" not in html
    assert "HX-Request" in response.headers["Vary"]
    # A boosted request or history restore gets the whole page.
    full = admin.get("/admin/audit", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in text_of(full)


def test_bad_filter_values_do_not_break_the_page(login_as):
    admin = login_as("admin")
    assert admin.get("/admin/audit?start=not-a-date&page=abc").status_code == 200
    assert admin.get("/admin/audit?page=-3").status_code == 200


def test_dates_out_of_range_are_ignored_with_a_message(login_as):
    """0001-01-01 or 9999-12-31 in the date filter: the list, unfiltered by that date, and a
    message saying why, in the table that htmx swaps — not a 500 from the date arithmetic."""
    admin = login_as("admin")
    for query in ("start=0001-01-01&end=9999-12-31", "start=9999-12-31", "end=0001-01-01"):
        response = admin.get(f"/admin/audit?{query}", headers={"HX-Request": "true"})
        assert response.status_code == 200, query
        assert "日期须在 2000 年至 2100 年之间，未按此日期筛选。" in text_of(response), query
    page = text_of(admin.get("/admin/audit?start=not-a-date"))
    assert "日期格式不正确" in page
