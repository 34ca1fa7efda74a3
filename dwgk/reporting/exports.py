"""The ledger's tabs as columns, and their exports: CSV for any program, XLSX for Excel.

CSV: UTF-8 with a byte-order mark (Excel then reads the Chinese), Chinese headers, and text
cells that a spreadsheet would take for a formula (starting with = + - @, a tab or a carriage
return) prefixed with an apostrophe (OWASP's CSV injection advice). Written row by row as
the response streams.

XLSX (openpyxl, write-only mode: rows go straight to the file, memory stays flat): a bold,
frozen header row, set column widths, dates as real date cells, and every text cell stored
as text — never as a formula, whatever it starts with. Control characters that XML 1.0
forbids (pasted from another program into a title or a body) are left out of the cells:
openpyxl refuses them, and Excel could not open the file anyway.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

BOM = "\ufeff"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[object], object]  # row -> str | int | date | None
    width: int = 12  # in Excel's character units (a Chinese character is about 2)


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def _text(value) -> str:
    return "" if value is None else str(value)


def _days(value) -> int | str:
    return "" if value is None else value


# The "visible" columns per tab. `filer` columns are added for the office only.
COLUMNS: dict[str, list[Column]] = {
    "items": [
        Column("编号", lambda r: r.id, 8),
        Column("标题", lambda r: r.title, 40),
        Column("类别", lambda r: r.category_name, 14),
        Column("目录条目", lambda r: _text(r.catalog_entry_title), 28),
        Column("所属期次", lambda r: r.period_name, 14),
        Column("公开范围", lambda r: r.scope_label, 10),
        Column("公开形式", lambda r: "、".join(r.form_labels), 20),
        Column("状态", lambda r: r.state_label, 12),
        Column("重大事项", lambda r: _yes(r.is_major), 9),
        Column("创建日期", lambda r: r.created_on, 12),
        Column("提交审核日期", lambda r: r.submitted_on, 13),
        Column("首次发布日期", lambda r: r.published_on, 13),
        Column("社会公开日期", lambda r: r.public_from, 13),
        Column("撤回日期", lambda r: r.withdrawn_on, 12),
        Column("归档日期", lambda r: r.archived_on, 12),
        Column("再公开次数", lambda r: r.republished_count, 11),
    ],
    "reviews": [
        Column("编号", lambda r: r.id, 8),
        Column("事项编号", lambda r: r.disclosure_id, 9),
        Column("事项标题", lambda r: r.item_title, 40),
        Column("版本", lambda r: r.revision_number, 6),
        Column("重大事项", lambda r: _yes(r.is_major), 9),
        Column("审核人", lambda r: r.reviewer_name, 12),
        Column("审核意见", lambda r: r.decision_label, 10),
        Column("审核日期", lambda r: r.decided_on, 12),
        Column("退回理由", lambda r: r.reason, 30),
        Column("会议日期", lambda r: r.meeting_date, 12),
        Column("参会人员", lambda r: r.meeting_attendees, 24),
        Column("集体决定", lambda r: r.meeting_decision, 30),
    ],
    "republications": [
        Column("事项编号", lambda r: r.disclosure_id, 9),
        Column("标题", lambda r: r.title, 40),
        Column("类别", lambda r: r.category_name, 14),
        Column("公开范围", lambda r: r.scope_label, 10),
        Column("版本", lambda r: r.revision_number, 6),
        Column("首次发布日期", lambda r: r.first_published_on, 13),
        Column("再公开日期", lambda r: r.republished_on, 12),
        Column("审核人", lambda r: "、".join(r.approved_by), 16),
        Column("修订说明", lambda r: r.change_note, 40),
        Column("事项现状态", lambda r: r.state_label, 12),
    ],
    "feedback": [
        Column("编号", lambda r: r.id, 8),
        Column("类型", lambda r: r.kind_label, 10),
        Column("收到日期", lambda r: r.received_on, 12),
        Column("渠道", lambda r: r.channel_label, 10),
        Column("实名/匿名", lambda r: "实名" if r.is_named else "匿名", 10),
        Column("针对事项", lambda r: r.item_title or ("一般意见" if r.disclosure_id is None
                                                  else f"事项 #{r.disclosure_id}"), 36),
        Column("状态", lambda r: r.status_label, 10),
        Column("答复日期", lambda r: r.answered_on, 12),
        Column("答复用时（工作日）", lambda r: _days(r.answer_workdays), 18),
        Column("答复期限", lambda r: r.due_on, 12),
        Column("是否超期", lambda r: _yes(r.overdue), 9),
    ],
    "notes": [
        Column("编号", lambda r: r.id, 8),
        Column("类别", lambda r: r.topic_label, 8),
        Column("监督对象", lambda r: r.object_title, 36),
        Column("监督员", lambda r: r.author_name, 12),
        Column("提出日期", lambda r: r.filed_on, 12),
        Column("答复日期", lambda r: r.answered_on, 12),
        Column("答复用时（工作日）", lambda r: _days(r.answer_workdays), 18),
        Column("答复期限", lambda r: r.due_on, 12),
        Column("是否超期", lambda r: _yes(r.overdue), 9),
        Column("采纳情况", lambda r: r.adoption_label, 10),
    ],
}

FILER_COLUMNS = [
    Column("反映人姓名", lambda r: r.filer_name, 12),
    Column("联系电话", lambda r: r.filer_phone, 15),
    Column("电子邮箱", lambda r: r.filer_email, 24),
]


def columns_for(tab: str, *, include_filer: bool = False) -> list[Column]:
    columns = list(COLUMNS[tab])
    if tab == "feedback" and include_filer:
        columns += FILER_COLUMNS
    return columns


# ---------------------------------------------------------------------------------------
# CSV


def guard(value):
    """A text cell that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return guard(value)


def csv_chunks(columns: list[Column], rows: Iterable, chunk_rows: int = 200) -> Iterator[str]:
    """The CSV text in pieces: the BOM and the header first, then `chunk_rows` rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow([column.header for column in columns])
    for number, row in enumerate(rows, 1):
        writer.writerow([_csv_cell(column.value(row)) for column in columns])
        if number % chunk_rows == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


# ---------------------------------------------------------------------------------------
# XLSX


def xlsx_bytes(title: str, columns: list[Column], rows: Iterable) -> bytes:
    """An XLSX workbook of one sheet named `title` (at most 31 characters, Excel's limit)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        cell.alignment = Alignment(vertical="center")
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, column.value(row)) for column in columns])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_cell(sheet, value):
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, str) and value.startswith("="):
        # openpyxl would store it as a formula: keep it text.
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return value
