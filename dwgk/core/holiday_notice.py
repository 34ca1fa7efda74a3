"""Reading a year's holidays from the State Council's notice, or from a simple CSV file.

The notice (国务院办公厅关于 YYYY 年部分节假日安排的通知) lists one festival per item:

    一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
    二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。
    2月14日（周六）、2月28日（周六）上班。
    六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。…

`parse_notice(text, year)` reads every item: the days off (a single day, or a range with 至
whose end may leave out its month, or cross into another month), and the working days
(上班, a list separated by 、). The preamble and the closing paragraph are ignored. What it
checks, so that a wrong year or a garbled paste is answered rather than saved: a weekday
in brackets must be that date's weekday in `year` (the commonest mistake is the year
chosen on the form), "共N天" must be the range's length, a date may appear once, and a year
named in the title must be `year`.

`parse_csv(content)` reads lines of `date,kind[,name]`: 2027-02-06,放假,春节.

Both return `NoticeDay`s in date order, or raise NoticeError with a Chinese message that
names the place in the text; the admin's page shows it next to the field.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from dwgk.core.errors import Refusal

_WEEKDAYS = "一二三四五六日"
_WEEKDAY_OF = {**{c: i for i, c in enumerate(_WEEKDAYS)}, "天": 6}

# An item: "一、" (or "十一、") then the festival's name, then a colon.
_ITEM = re.compile(r"(?:^|(?<=[\s。;；]))([一二三四五六七八九十]{1,3})、([^:：\n。]{1,30})[:：]")
# A date: [YYYY年]M月D日, or D日 alone (the month of the date before it), and what is in the
# brackets right after it (农历…、周二).
_DATE = re.compile(r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:\(([^)]*)\))?")
_WEEKDAY = re.compile(r"(?:周|星期)([一二三四五六日天])")
_TITLE_YEAR = re.compile(r"关于\s*(\d{4})\s*年(?:部分)?节假日")
_TOTAL = re.compile(r"共\s*(\d+)\s*天")

# CSV kinds, as a person may write them.
REST_WORDS = {"rest", "holiday", "off", "放假", "休息", "放假休息", "休", "假"}
WORK_WORDS = {"work", "workday", "上班", "调休上班", "工作日", "班"}
MAX_DAYS = 200  # a year has about 30 such dates; more is not a holiday list

NO_ITEMS = ("没有读出任何放假安排：请粘贴通知正文中“一、元旦：1月1日……放假……”这样的条目，"
            "每条以“一、”“二、”……开头。")


class NoticeError(Refusal):
    """The text or file cannot be read; the message says where and why, in Chinese."""


@dataclass(frozen=True)
class NoticeDay:
    day: date
    is_workday: bool  # True: 调休上班; False: 放假
    name: str  # the festival, e.g. 春节 ("" when the CSV gives none)


def _weekday_name(day: date) -> str:
    return f"星期{_WEEKDAYS[day.weekday()]}"


def _normalise(text: str) -> str:
    # NFKC: full-width digits and brackets (１月１日（周四）) become 1月1日(周四).
    return unicodedata.normalize("NFKC", text or "").replace("\r", "")


# ---------------------------------------------------------------------------------------
# The notice


def parse_notice(text: str, year: int, field: str = "text") -> list[NoticeDay]:
    """Every day off and every adjusted working day the notice lists for `year`."""
    text = _normalise(text)
    if not text.strip():
        raise NoticeError("请粘贴通知的正文。", field)
    title = _TITLE_YEAR.search(text)
    if title and int(title.group(1)) != year:
        raise NoticeError(f"粘贴的是 {title.group(1)} 年的通知，表单上选的是 {year} 年：请选择"
                          f" {title.group(1)} 年，或粘贴 {year} 年的通知。", field)
    items = list(_ITEM.finditer(text))
    if not items:
        raise NoticeError(NO_ITEMS, field)
    seen: dict[date, str] = {}
    days: list[NoticeDay] = []
    for number, item in enumerate(items):
        end = items[number + 1].start() if number + 1 < len(items) else len(text)
        # The item ends at the first blank line after it (the closing paragraph follows).
        # Within it, a line break is only where the page wrapped: the text runs on.
        body = re.split(r"\n\s*\n", text[item.end():end], maxsplit=1)[0]
        body = re.sub(r"\s*\n\s*", "", body)
        label = f"{item.group(1)}、{item.group(2).strip()}"
        name = item.group(2).strip()
        found = _parse_item(body, year, label, name, field)
        for entry in found:
            if entry.day in seen:
                raise NoticeError(f"{_place(entry.day)}出现了两次（{seen[entry.day]}、{label}）："
                                  "请检查粘贴的文字。", field)
            seen[entry.day] = label
        days.extend(found)
    if len(days) > MAX_DAYS:
        raise NoticeError(f"读出了 {len(days)} 个日期，超过 {MAX_DAYS} 个：这不像一年的放假安排。", field)
    return sorted(days, key=lambda entry: entry.day)


def _place(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _parse_item(body: str, year: int, label: str, name: str, field: str) -> list[NoticeDay]:
    rest: list[NoticeDay] = []
    work: list[NoticeDay] = []
    for sentence in re.split(r"[。;]", body):
        sentence = sentence.strip()
        if not sentence:
            continue
        if "放假" in sentence:
            head = sentence.split("放假", 1)[0]
            dates = _dates(head, year, label, field)
            if not dates:
                raise NoticeError(f"“{label}”中“{sentence}”没有读出放假的日期。", field)
            if "至" in head:
                if len(dates) != 2:
                    raise NoticeError(f"“{label}”中“{head}”应是“某日至某日”。", field)
                first, last = dates
                if last < first:
                    raise NoticeError(f"“{label}”中 {_place(last)} 早于 {_place(first)}：请检查日期。",
                                      field)
                span = [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]
            else:
                span = dates
            total = _TOTAL.search(sentence) or re.search(r"放假\s*(\d+)\s*天", sentence)
            if total and int(total.group(1)) != len(span):
                raise NoticeError(f"“{label}”写明共 {total.group(1)} 天，但读出的日期是 {len(span)} 天"
                                  f"（{_place(span[0])}至{_place(span[-1])}）：请检查日期。", field)
            rest.extend(NoticeDay(day, False, name) for day in span)
        elif "上班" in sentence:
            dates = _dates(sentence.split("上班", 1)[0], year, label, field)
            if not dates:
                raise NoticeError(f"“{label}”中“{sentence}”没有读出上班的日期。", field)
            work.extend(NoticeDay(day, True, name) for day in dates)
        elif _DATE.search(sentence):  # dates, but neither off nor at work: never guess
            raise NoticeError(f"“{label}”中“{sentence}”没有写明是放假还是上班。", field)
    if not rest:
        raise NoticeError(f"“{label}”中没有读出放假的日期（应写作“1月1日放假”或“某日至某日放假”）。",
                          field)
    return rest + work


def _dates(fragment: str, year: int, label: str, field: str) -> list[date]:
    """The dates written in `fragment`, in order: a bare "3日" takes the month (and year) of
    the date before it; each weekday in brackets is checked against the date."""
    dates: list[date] = []
    for match in _DATE.finditer(fragment):
        written_year, month, day_number, bracket = match.groups()
        if month is None and not dates:
            raise NoticeError(f"“{label}”中“{match.group(0)}”缺少月份。", field)
        the_year = int(written_year) if written_year else (dates[-1].year if dates else year)
        the_month = int(month) if month else dates[-1].month
        try:
            day = date(the_year, the_month, int(day_number))
        except ValueError:
            raise NoticeError(f"“{label}”中“{the_month}月{day_number}日”不是有效的日期。", field) from None
        if abs(day.year - year) > 1:
            raise NoticeError(f"“{label}”中的 {day.year} 年与所选的 {year} 年不符。", field)
        weekday = _WEEKDAY.search(bracket or "")
        if weekday and _WEEKDAY_OF[weekday.group(1)] != day.weekday():
            raise NoticeError(
                f"“{label}”中 {_place(day)}注明“{weekday.group(0)}”，但 {day.year} 年{_place(day)}是"
                f"{_weekday_name(day)}：请检查所选的年份（或通知的文字）。", field)
        dates.append(day)
    return dates


# ---------------------------------------------------------------------------------------
# The CSV file


def decode_upload(data: bytes, field: str = "csv_file") -> str:
    """An uploaded CSV file's text: UTF-8 (with or without Excel's BOM), or GB18030 (what
    Excel writes on a Chinese Windows)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise NoticeError("文件不是 UTF-8 或 GBK 编码的文本，请另存为“CSV UTF-8”后再上传。", field)


def parse_csv(content: str, field: str = "csv_file") -> list[NoticeDay]:
    """Lines of `date,kind[,name]`; a first line naming the columns is skipped, as are
    empty lines. Every problem names its line."""
    rows = list(csv.reader(io.StringIO(_normalise(content))))
    days: dict[date, int] = {}
    found: list[NoticeDay] = []
    for number, row in enumerate(rows, start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if number == 1 and cells[0].lower() in {"date", "日期", "day"}:
            continue
        if len(cells) < 2 or len(cells) > 3:
            raise NoticeError(f"第 {number} 行应为“日期,类型[,名称]”，例如“2027-02-06,放假,春节”。", field)
        try:
            day = date.fromisoformat(cells[0].replace("/", "-"))
        except ValueError:
            raise NoticeError(f"第 {number} 行的日期“{cells[0]}”不正确，请按 2027-02-06 的格式填写。",
                              field) from None
        kind = cells[1].lower()
        if kind not in REST_WORDS | WORK_WORDS:
            raise NoticeError(f"第 {number} 行的类型“{cells[1]}”无法识别，请填写“放假”或“上班”。", field)
        if day in days:
            raise NoticeError(f"第 {number} 行的 {day.isoformat()} 与第 {days[day]} 行重复。", field)
        days[day] = number
        found.append(NoticeDay(day, kind in WORK_WORDS, cells[2] if len(cells) == 3 else ""))
    if not found:
        raise NoticeError("文件中没有日期：每行一个日期，例如“2027-02-06,放假,春节”。", field)
    if len(found) > MAX_DAYS:
        raise NoticeError(f"文件中有 {len(found)} 个日期，超过 {MAX_DAYS} 个。", field)
    return sorted(found, key=lambda entry: entry.day)
