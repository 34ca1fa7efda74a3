"""The admin's 节假日调整 page: only the admin reaches it; every change is audited; bad input
is refused next to its field and nothing is saved; the 计算期限 tool explains a deadline."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from dwgk.core.audit import AuditEvent
from dwgk.core.models import WorkdayOverride
from dwgk.extensions import db
from tests.support import field_errors, text_of

URL = "/admin/workdays"


def _overrides(app):
    with app.app_context():
        return [(o.day, o.is_workday, o.note)
                for o in db.session.scalars(select(WorkdayOverride).order_by(WorkdayOverride.day))]


def _events(app):
    with app.app_context():
        return db.session.execute(
            select(AuditEvent.action, AuditEvent.summary, AuditEvent.actor_name)
            .where(AuditEvent.action.like("workday.%")).order_by(AuditEvent.id)).all()


def _error_next_to(response, field_id: str) -> str:
    """The error message shown right under the field `field_id`."""
    match = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>', text_of(response), re.S)
    assert match, f"no error next to {field_id}"
    return match.group(1).strip()


# --- who may come in ----------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", ["member", "office", "reviewer", "supervisor", "nobody"])
def test_only_the_admin_may_use_the_page(app, users, login_as, role):
    with app.app_context():
        override = WorkdayOverride(day=date(2027, 1, 4), is_workday=False, note="")
        db.session.add(override)
        db.session.commit()
        override_id = override.id
    someone = login_as(role)
    assert someone.get(URL).status_code == 403
    assert someone.form_post(URL, {"day": "2027-01-05", "kind": "rest"}).status_code == 403
    assert someone.form_post(f"{URL}/{override_id}/delete").status_code == 403
    assert _overrides(app) == [(date(2027, 1, 4), False, "")]
    assert _events(app) == []


def test_the_admin_sees_the_page(users, login_as):
    response = login_as("admin").get(URL)
    assert response.status_code == 200
    html = text_of(response)
    assert "<h1>节假日调整</h1>" in html
    assert "还没有节假日调整" in html
    assert "收录 2004–2026 年" in html


# --- add, update, delete ------------------------------------------------------------------------


def test_the_admin_declares_a_holiday_and_the_deadline_follows(app, users, login_as):
    admin = login_as("admin")
    check = f"{URL}?start=2026-12-28&days=10&kind=workdays"
    assert "截止日：2027-01-11" in text_of(admin.get(check))

    response = admin.form_post(URL, {"day": "2027-01-04", "kind": "rest", "note": "2027年元旦"})
    assert response.status_code == 302
    assert response.headers["Location"] == URL
    assert _overrides(app) == [(date(2027, 1, 4), False, "2027年元旦")]
    assert _events(app) == [("workday.set", "2027年1月4日（星期一）设为放假休息：2027年元旦", "admin")]

    page = text_of(admin.get(URL))
    assert "已保存：2027年1月4日（星期一）放假休息。" in page
    assert "<h3>2027 年</h3>" in page and "2027年元旦" in page and "未收录" in page

    # The deadline is computed again from the changed calendar, and says why.
    html = text_of(admin.get(check))
    assert "截止日：2027-01-12" in html
    assert "2027年1月4日按管理员设置的节假日调整计算" in html


def test_a_date_set_again_is_updated_not_duplicated(app, users, login_as):
    admin = login_as("admin")
    admin.form_post(URL, {"day": "2026-10-09", "kind": "rest", "note": "单位安排"})
    response = admin.form_post(URL, {"day": "2026-10-09", "kind": "work", "note": "单位安排"})
    assert response.status_code == 302
    assert _overrides(app) == [(date(2026, 10, 9), True, "单位安排")]
    assert [action for action, _, _ in _events(app)] == ["workday.set", "workday.set"]
    assert _events(app)[1][1] == "2026年10月9日（星期五）：放假休息 → 调休上班"


def test_overrides_are_listed_newest_year_first(app, users, login_as):
    admin = login_as("admin")
    for day in ("2026-10-09", "2027-02-20", "2027-01-04"):
        admin.form_post(URL, {"day": day, "kind": "rest"})
    html = text_of(admin.get(URL))
    assert html.index("<h3>2027 年</h3>") < html.index("<h3>2026 年</h3>")
    assert html.index("2027-01-04") < html.index("2027-02-20") < html.index("2026-10-09")


def test_the_admin_deletes_an_override(app, users, login_as):
    admin = login_as("admin")
    admin.form_post(URL, {"day": "2027-01-04", "kind": "rest", "note": "2027年元旦"})
    with app.app_context():
        override_id = db.session.scalar(select(WorkdayOverride.id))
    response = admin.form_post(f"{URL}/{override_id}/delete")
    assert response.status_code == 302
    assert _overrides(app) == []
    assert _events(app)[-1] == ("workday.delete", "2027年1月4日（星期一）不再放假休息：2027年元旦", "admin")
    assert "已删除 2027年1月4日 的节假日调整" in text_of(admin.get(URL))
    # Gone is gone: a second delete is an unknown id.
    assert admin.form_post(f"{URL}/{override_id}/delete").status_code == 404


# --- bad input ----------------------------------------------------------------------------------


def test_bad_input_is_refused_next_to_each_field_and_nothing_is_saved(app, users, login_as):
    admin = login_as("admin")
    response = admin.form_post(URL, {"day": "2027-13-45", "kind": "maybe", "note": "长" * 101})
    assert response.status_code == 422
    assert _error_next_to(response, "day") == "日期格式不正确，请按 2027-01-04 的格式填写。"
    assert _error_next_to(response, "kind") == "请选择“放假休息”或“调休上班”。"
    assert _error_next_to(response, "note") == "说明最长 100 个字符。"
    assert _overrides(app) == []
    assert _events(app) == []


@pytest.mark.parametrize(("day", "message"), [
    ("", "请填写日期。"),
    ("1999-12-31", "日期须在 2000 年至 2100 年之间。"),
    ("0202-10-01", "日期须在 2000 年至 2100 年之间。"),
])
def test_a_missing_or_unlikely_date_is_refused(app, users, login_as, day, message):
    response = login_as("admin").form_post(URL, {"day": day, "kind": "rest"})
    assert response.status_code == 422
    assert field_errors(response) == [message]
    assert _overrides(app) == []


def test_a_refused_form_keeps_what_was_typed(users, login_as):
    response = login_as("admin").form_post(URL, {"day": "2027-01-04", "kind": "work", "note": "长" * 101})
    html = text_of(response)
    assert 'value="2027-01-04"' in html
    assert re.search(r'<option selected value="work">|<option value="work" selected>', html)


# --- the 计算期限 tool ---------------------------------------------------------------------------


def test_the_check_tool_explains_a_working_day_deadline(users, login_as):
    response = login_as("admin").get(f"{URL}?start=2026-09-30&days=5")
    assert response.status_code == 200
    html = text_of(response)
    assert "截止日：2026-10-13（星期二）" in html
    assert "跳过非工作日 10月1日至10月7日、10月11日" in html


def test_the_check_tool_counts_calendar_days_too(users, login_as):
    response = login_as("admin").get(f"{URL}?start=2026-09-28&days=7&kind=days")
    assert response.status_code == 200
    assert "截止日：2026-10-08（星期四）" in text_of(response)


@pytest.mark.parametrize(("query", "field", "message"), [
    ("start=&days=5", "start", "请填写起算日。"),
    ("start=2026-02-30&days=5", "start", "日期格式不正确，请按 2027-01-04 的格式填写。"),
    ("start=2026-09-30&days=abc", "days", "请填写整数天数。"),
    ("start=2026-09-30&days=0", "days", "天数须在 1 至 366 之间。"),
    ("start=2026-09-30&days=5000", "days", "天数须在 1 至 366 之间。"),
    ("start=2026-09-30&days=5&kind=weeks", "kind", "请选择计算方式。"),
    # beyond the calendar's years: not a 500 from the date arithmetic near 9999-12-31
    ("start=9999-12-31&days=5", "start", "日期须在 2000 年至 2100 年之间。"),
    ("start=9999-12-31&days=366&kind=days", "start", "日期须在 2000 年至 2100 年之间。"),
    ("start=0001-01-01&days=5", "start", "日期须在 2000 年至 2100 年之间。"),
])
def test_the_check_tool_refuses_bad_input(users, login_as, query, field, message):
    response = login_as("admin").get(f"{URL}?{query}")
    assert response.status_code == 422
    assert _error_next_to(response, field) == message
    assert "截止日" not in text_of(response)
