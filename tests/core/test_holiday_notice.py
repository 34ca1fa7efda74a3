"""Reading the State Council's holiday notice and the simple CSV: the real 2025 and 2026
notices give exactly the built-in calendar's holidays and adjusted working days; a wrong
year, a garbled paste or a bad line is answered in Chinese, saying where."""
from __future__ import annotations

from datetime import date

import chinese_calendar
import pytest

from dwgk.core.holiday_notice import NoticeError, decode_upload, parse_csv, parse_notice

NOTICE_2025 = """国务院办公厅关于2025年部分节假日安排的通知
国办发明电〔2024〕12号

各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
经国务院批准，现将2025年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。

一、元旦：1月1日（周三）放假1天，不调休。
二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。
三、清明节：4月4日（周五）至6日（周日）放假，共3天。
四、劳动节：5月1日（周四）至5日（周一）放假调休，共5天。4月27日（周日）上班。
五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。
六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。

节假日期间，各地区、各部门要妥善安排好值班和安全、保卫、疫情防控等工作，遇有重大突发事件，要按规定及时报告并妥善处置，确保人民群众祥和平安度过节日假期。

国务院办公厅
2024年11月12日
"""

NOTICE_2026 = """国务院办公厅关于2026年部分节假日安排的通知

一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
三、清明节：4月4日（周六）至6日（周一）放假，共3天。
四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
五、端午节：6月19日（周五）至21日（周日）放假，共3天。
六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
"""


def _statutory(year: int) -> tuple[set[date], set[date]]:
    rest = {day for day in chinese_calendar.holidays if day.year == year}
    work = {day for day in chinese_calendar.workdays if day.year == year}
    return rest, work


@pytest.mark.parametrize("year, notice", [(2025, NOTICE_2025), (2026, NOTICE_2026)])
def test_the_real_notice_gives_the_built_in_calendars_year(year, notice):
    days = parse_notice(notice, year)
    rest = {entry.day for entry in days if not entry.is_workday}
    work = {entry.day for entry in days if entry.is_workday}
    assert (rest, work) == _statutory(year)
    assert [entry.day for entry in days] == sorted(entry.day for entry in days)


def test_each_day_carries_its_festivals_name():
    days = {entry.day: entry for entry in parse_notice(NOTICE_2025, 2025)}
    assert days[date(2025, 1, 28)].name == "春节"
    assert days[date(2025, 2, 8)].name == "春节" and days[date(2025, 2, 8)].is_workday
    assert days[date(2025, 10, 8)].name == "国庆节、中秋节"
    assert days[date(2025, 6, 2)].name == "端午节"  # a range crossing into June


def test_a_range_crossing_months_and_a_list_of_working_days():
    text = "四、劳动节：4月30日（周五）至5月4日（周二）放假调休，共5天。4月25日（周日）、5月8日（周六）上班。"
    days = parse_notice(text, 2027)
    assert [(d.day, d.is_workday) for d in days] == [
        (date(2027, 4, 25), True), (date(2027, 4, 30), False), (date(2027, 5, 1), False),
        (date(2027, 5, 2), False), (date(2027, 5, 3), False), (date(2027, 5, 4), False),
        (date(2027, 5, 8), True)]


def test_full_width_digits_wrapped_lines_and_星期_are_read():
    text = "二、春节：２月６日（星期六）至\n12日（星期五）放假调休，共7天。2月20日（星期六）、\n2月21日（星期日）上班。"
    days = parse_notice(text, 2027)
    assert [d.day for d in days if not d.is_workday] == [date(2027, 2, n) for n in range(6, 13)]
    assert [d.day for d in days if d.is_workday] == [date(2027, 2, 20), date(2027, 2, 21)]


def test_a_year_crossing_range_names_its_year():
    text = "一、元旦：2026年12月31日（周四）至2027年1月2日（周六）放假，共3天。"
    assert [d.day for d in parse_notice(text, 2027)] == [
        date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 2)]


@pytest.mark.parametrize("text, year, message", [
    ("", 2027, "请粘贴通知的正文。"),
    ("元旦放三天，春节放八天", 2027, "没有读出任何放假安排"),
    (NOTICE_2026, 2027, "粘贴的是 2026 年的通知，表单上选的是 2027 年"),
    # the title cut off: the weekdays tell the wrong year
    (NOTICE_2026.split("\n", 1)[1], 2027, "1月1日注明“周四”，但 2027 年1月1日是星期五"),
    ("二、春节：2月30日至3月2日放假。", 2027, "“二、春节”中“2月30日”不是有效的日期"),
    ("二、春节：2月12日至2月6日放假。", 2027, "2月6日 早于 2月12日"),
    ("二、春节：2月6日至12日放假调休，共8天。", 2027, "写明共 8 天，但读出的日期是 7 天"),
    ("二、春节：2月6日至12日放假。2月20日调整。", 2027, "没有写明是放假还是上班"),
    ("二、春节：2月20日上班。", 2027, "“二、春节”中没有读出放假的日期"),
    ("六、中秋节：9月15日放假。七、国庆节：9月15日至10月7日放假。", 2027,
     "9月15日出现了两次（六、中秋节、七、国庆节）"),
])
def test_bad_text_is_answered_in_chinese(text, year, message):
    with pytest.raises(NoticeError) as refused:
        parse_notice(text, year)
    assert message in str(refused.value)
    assert refused.value.field == "text"


def test_the_csv_reads_dates_kinds_and_names():
    content = "date,kind,name\n2027-02-06,放假,春节\n2027-02-20,上班,春节\n\n2027-01-01,rest\n"
    days = parse_csv(content)
    assert [(d.day, d.is_workday, d.name) for d in days] == [
        (date(2027, 1, 1), False, ""), (date(2027, 2, 6), False, "春节"),
        (date(2027, 2, 20), True, "春节")]


def test_the_csv_from_excel_in_gbk_or_with_a_bom_is_decoded():
    text = "日期,类型,名称\r\n2027-02-06,放假,春节\r\n"
    for data in (text.encode("gb18030"), text.encode("utf-8-sig")):
        assert [d.name for d in parse_csv(decode_upload(data))] == ["春节"]
    with pytest.raises(NoticeError, match="不是 UTF-8 或 GBK"):
        decode_upload(b"\xff\xfe\x00\xd8\x00")


@pytest.mark.parametrize("content, message", [
    ("", "文件中没有日期"),
    ("2027-02-06\n", "第 1 行应为“日期,类型[,名称]”"),
    ("2027-02-06,放假\n2027-02-31,放假\n", "第 2 行的日期“2027-02-31”不正确"),
    ("2027-02-06,过节\n", "第 1 行的类型“过节”无法识别"),
    ("2027-02-06,放假\n2027-02-07,放假\n2027-02-06,上班\n", "第 3 行的 2027-02-06 与第 1 行重复"),
])
def test_a_bad_csv_names_its_line(content, message):
    with pytest.raises(NoticeError) as refused:
        parse_csv(content)
    assert message in str(refused.value)
