"""Importing a year's holidays: paste the notice (or upload a CSV), see what was read,
confirm, and every date is saved in one step, audited; a bad paste is answered next to its
field and nothing is saved. From 1 November the office's and admin's pages warn while next
year is unknown."""
from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from sqlalchemy import select

from dwgk.core.audit import AuditEvent
from dwgk.core import holiday_notice, workdays
from dwgk.core.models import WorkdayOverride
from dwgk.extensions import db
from tests.support import text_of

URL = "/admin/workdays/import"

# Not the real 2027 notice (not published yet when this was written): the real notices'
# wording, with 2027's weekdays. 29 days off and 5 working days.
NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知

一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至13日（农历正月初八、周六）放假调休，共9天。2月20日（周六）上班。
三、清明节：4月3日（周六）至5日（周一）放假，共3天。
四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。4月25日（周日）、5月8日（周六）上班。
五、端午节：6月9日（周三）放假1天。
六、中秋节：9月15日（周三）放假1天。
七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。

节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作。
"""


def _overrides(app):
    with app.app_context():
        return {o.day: (o.is_workday, o.note) for o in db.session.scalars(select(WorkdayOverride))}


def _events(app, action="workday.%"):
    with app.app_context():
        return db.session.execute(select(AuditEvent.action, AuditEvent.summary)
                                  .where(AuditEvent.action.like(action))
                                  .order_by(AuditEvent.id)).all()


def _error(response, field_id):
    import re
    match = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>', text_of(response), re.S)
    assert match, f"no error next to {field_id}"
    return match.group(1).strip()


def _confirmation(response) -> dict:
    """The fields of the confirmation form the preview page holds."""
    import re
    form = re.search(r'<form method="post" action="/admin/workdays/import/save">(.*?)</form>',
                     text_of(response), re.S)
    assert form, "no confirmation form"
    import html
    return {name: html.unescape(value) for name, value in
            re.findall(r'name="(\w+)"[^>]*value="([^"]*)"', form.group(1), re.S)}


@pytest.fixture
def admin(login_as, frozen_clock):
    frozen_clock(datetime(2026, 12, 2, 9, 0))
    return login_as("admin")


def test_paste_preview_confirm_saves_the_year_in_one_step(app, admin):
    page = admin.get(URL)
    assert page.status_code == 200
    assert '<option selected value="2027">' in text_of(page)  # next year, the one usually entered

    preview = admin.form_post(URL, {"year": "2027", "text": NOTICE_2027})
    assert preview.status_code == 200
    shown = text_of(preview)
    assert "共 34 个日期：放假 29 天，调休上班 5 天" in shown
    assert "2027-02-20（星期六）" in shown and "调休上班" in shown
    assert _overrides(app) == {} and _events(app) == []  # a preview saves nothing

    saved = admin.form_post("/admin/workdays/import/save", _confirmation(preview))
    assert saved.status_code == 302
    overrides = _overrides(app)
    assert len(overrides) == 34
    assert overrides[date(2027, 2, 5)] == (False, "2027年春节")
    assert overrides[date(2027, 10, 9)] == (True, "2027年国庆节")
    events = _events(app)
    assert [action for action, _ in events].count("workday.set") == 34
    assert events[-1] == ("workday.import", "从国务院办公厅通知导入 2027 年节假日调整 34 条（放假 29 天、"
                                            "调休上班 5 天）：新增 34 条，替换 0 条，未变 0 条")
    page = text_of(admin.get("/admin/workdays"))
    assert "已导入 34 个日期（放假 29 天、调休上班 5 天）：新增 34 条，替换 0 条，未变 0 条。" in page
    with app.app_context():
        assert not workdays.is_workday(date(2027, 2, 8))  # a Monday of the Spring Festival
        assert workdays.is_workday(date(2027, 2, 20))  # a Saturday at work


def test_existing_dates_are_shown_as_replaced_and_replaced(app, admin):
    with app.app_context():
        db.session.add(WorkdayOverride(day=date(2027, 2, 20), is_workday=False, note="手填"))
        db.session.add(WorkdayOverride(day=date(2027, 1, 1), is_workday=False, note="2027年元旦"))
        db.session.commit()
    preview = admin.form_post(URL, {"year": "2027", "text": NOTICE_2027})
    shown = text_of(preview)
    assert "其中 2 个日期已有节假日调整，保存后将被替换" in shown
    assert "将替换：原为放假休息" in shown
    admin.form_post("/admin/workdays/import/save", _confirmation(preview))
    overrides = _overrides(app)
    assert len(overrides) == 34 and overrides[date(2027, 2, 20)] == (True, "2027年春节")
    assert _events(app, "workday.import")[-1][1].endswith("新增 32 条，替换 1 条，未变 1 条")
    set_events = [summary for action, summary in _events(app) if action == "workday.set"]
    assert "2027年2月20日（星期六）：放假休息 → 调休上班；说明：手填 → 2027年春节" in set_events


@pytest.mark.parametrize("data, field, message", [
    ({"year": "2027", "text": ""}, "text", "请粘贴通知正文，或上传 CSV 文件。"),
    ({"year": "2027", "text": "元旦放三天"}, "text", holiday_notice.NO_ITEMS),
    ({"year": "2026", "text": NOTICE_2027}, "text", "粘贴的是 2027 年的通知，表单上选的是 2026 年"),
    ({"year": "2028", "text": NOTICE_2027.split("\n", 1)[1]}, "text", "但 2028 年1月1日是星期六"),
    ({"year": "1999", "text": NOTICE_2027}, "year", "请选择年份。"),
])
def test_bad_input_is_answered_next_to_its_field_and_nothing_is_saved(app, admin, data, field,
                                                                      message):
    response = admin.form_post(URL, data)
    assert response.status_code == 422
    assert message in _error(response, field)
    assert "import-preview" not in text_of(response)
    assert _overrides(app) == {} and _events(app) == []


def test_a_csv_upload_is_previewed_and_saved(app, admin):
    content = "日期,类型,名称\n2027-02-06,放假,春节\n2027-02-20,上班,春节\n".encode("gb18030")
    preview = admin.form_post(URL, {"year": "2027", "text": "",
                                    "csv_file": (io.BytesIO(content), "2027.csv")},
                              content_type="multipart/form-data")
    assert preview.status_code == 200
    assert "共 2 个日期：放假 1 天，调休上班 1 天" in text_of(preview)
    admin.form_post("/admin/workdays/import/save", _confirmation(preview))
    assert _overrides(app) == {date(2027, 2, 6): (False, "2027年春节"),
                               date(2027, 2, 20): (True, "2027年春节")}
    assert _events(app, "workday.import")[-1][1].startswith("从CSV 文件导入 2027 年")


def test_a_bad_csv_line_or_both_inputs_are_refused(app, admin):
    bad = admin.form_post(URL, {"year": "2027", "csv_file": (io.BytesIO(b"2027-02-06,rest\n2100-13-01,rest\n"), "x.csv")},
                          content_type="multipart/form-data")
    assert bad.status_code == 422
    assert "第 2 行的日期“2100-13-01”不正确" in _error(bad, "csv_file")
    out_of_range = admin.form_post(URL, {"year": "2027", "csv_file": (io.BytesIO(b"2101-01-01,rest\n"), "x.csv")},
                                   content_type="multipart/form-data")
    assert "日期须在 2000 年至 2100 年之间" in _error(out_of_range, "csv_file")
    both = admin.form_post(URL, {"year": "2027", "text": NOTICE_2027,
                                 "csv_file": (io.BytesIO(b"2027-02-06,rest\n"), "x.csv")},
                           content_type="multipart/form-data")
    assert "不要同时提交两者" in _error(both, "text")
    assert _overrides(app) == {}


def test_a_tampered_confirmation_saves_nothing(app, admin):
    preview = admin.form_post(URL, {"year": "2027", "text": NOTICE_2027})
    fields = _confirmation(preview)
    fields["content"] = fields["content"].replace("2月30日", "x").replace("2月5日", "2月31日")
    response = admin.form_post("/admin/workdays/import/save", fields)
    assert response.status_code == 422
    assert "不是有效的日期" in _error(response, "text")
    assert _overrides(app) == {} and _events(app) == []


def test_the_import_is_all_or_nothing(app):
    days = [holiday_notice.NoticeDay(date(2027, 1, 1), False, "元旦"),
            holiday_notice.NoticeDay(date(2101, 1, 1), False, "元旦")]
    with app.app_context():
        with pytest.raises(workdays.WorkdayError):
            workdays.import_overrides(days, source="测试")
        db.session.rollback()
    assert _overrides(app) == {} and _events(app) == []


# --- the warning from 1 November ---------------------------------------------------------

WARNING = "内置节假日日历尚未收录 2027 年，也还没有录入 2027 年的节假日调整"


@pytest.mark.parametrize("role, path, shown", [
    ("admin", "/admin/users", True),
    ("admin", "/admin/workdays", True),
    ("office", "/duties", True),
    ("office", "/catalog/manage", True),
    ("member", "/notifications", False),
    ("reviewer", "/review", False),
    ("office", "/members", False),  # a board page, kept for every reader of the role set
])
def test_from_1_november_office_and_admin_pages_warn(app, users, login_as, frozen_clock,
                                                     role, path, shown):
    frozen_clock(datetime(2026, 11, 1, 9, 0))
    response = login_as(role).get(path)
    assert response.status_code == 200
    assert (WARNING in text_of(response)) is shown


def test_the_admin_is_shown_the_way_to_fix_it_and_the_office_whom_to_ask(app, users, login_as,
                                                                       frozen_clock):
    frozen_clock(datetime(2026, 12, 31, 9, 0))
    assert 'href="/admin/workdays/import"' in text_of(login_as("admin").get("/admin/users"))
    office = text_of(login_as("office").get("/duties"))
    assert "请系统管理员在“节假日调整”中导入" in office and "/admin/workdays/import" not in office


@pytest.mark.parametrize("now", [datetime(2026, 10, 31, 23, 0), datetime(2025, 11, 15, 9, 0)])
def test_no_warning_before_november_or_when_the_built_in_calendar_knows_next_year(
        app, users, login_as, frozen_clock, now):
    frozen_clock(now)
    assert "内置节假日日历尚未收录" not in text_of(login_as("office").get("/duties"))


def test_no_warning_once_next_year_has_entries(app, users, login_as, frozen_clock):
    frozen_clock(datetime(2026, 11, 20, 9, 0))
    office = login_as("office")
    assert WARNING in text_of(office.get("/duties"))
    with app.app_context():
        db.session.add(WorkdayOverride(day=date(2027, 1, 1), is_workday=False, note=""))
        db.session.commit()
    assert WARNING not in text_of(office.get("/duties"))
