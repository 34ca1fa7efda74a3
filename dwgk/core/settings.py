"""The unit's settings: the one UnitSettings row, or the defaults until the admin saves it.
Read once per request."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, has_request_context

from dwgk.core.errors import Refusal
from dwgk.core.audit import record
from dwgk.core.models import UnitSettings
from dwgk.extensions import db

LIMITS = {
    "members_first_days": (0, 30),
    "review_due_workdays": (1, 30),
    "feedback_reply_workdays": (1, 60),
    "supervision_reply_workdays": (1, 60),
}


DEFAULT_REPORT_ADDRESSEE = "乡（镇）纪委"


@dataclass(frozen=True)
class Settings:
    unit_name: str
    members_first_days: int = 1
    review_due_workdays: int = 3
    feedback_reply_workdays: int = 15
    supervision_reply_workdays: int = 15
    # To whom the summary report (专题报告) is addressed: 乡（镇）纪委 for a school, 市纪委 or
    # 上级党组 for a bureau.
    report_addressee: str = DEFAULT_REPORT_ADDRESSEE


def _load() -> Settings:
    row = db.session.get(UnitSettings, 1)
    if row is None:
        return Settings(unit_name=current_app.config["DWGK_UNIT_NAME"])
    return Settings(unit_name=row.unit_name, members_first_days=row.members_first_days,
                    review_due_workdays=row.review_due_workdays,
                    feedback_reply_workdays=row.feedback_reply_workdays,
                    supervision_reply_workdays=row.supervision_reply_workdays,
                    report_addressee=row.report_addressee or DEFAULT_REPORT_ADDRESSEE)


def get() -> Settings:
    if not has_request_context():
        return _load()
    if "dwgk_settings" not in g:
        g.dwgk_settings = _load()
    return g.dwgk_settings


def unit_name() -> str:
    """The unit's name, for every page's header."""
    return get().unit_name


class SettingsError(Refusal):
    """A refused change (see dwgk.core.errors)."""


def update(*, actor, **values) -> Settings:
    """Save the settings (creating the row the first time); audited with what changed.
    `report_addressee` left out keeps the current one."""
    name = (values.get("unit_name") or "").strip()
    if not name or len(name) > 100:
        raise SettingsError("单位名称须为 1 至 100 个字。", "unit_name")
    before = get()
    addressee = values.get("report_addressee")
    addressee = before.report_addressee if addressee is None else addressee.strip()
    if not addressee or len(addressee) > 100:
        raise SettingsError("报告报送单位须为 1 至 100 个字。", "report_addressee")
    for field, (low, high) in LIMITS.items():
        value = values.get(field)
        if not isinstance(value, int) or not low <= value <= high:
            raise SettingsError(f"须为 {low} 至 {high} 之间的整数。", field)
    row = db.session.get(UnitSettings, 1) or UnitSettings(id=1)
    row.unit_name = name
    row.report_addressee = addressee
    for field in LIMITS:
        setattr(row, field, values[field])
    db.session.add(row)
    db.session.flush()
    after = Settings(unit_name=name, report_addressee=addressee,
                     **{field: values[field] for field in LIMITS})
    changes = [f"{field}: {getattr(before, field)} → {getattr(after, field)}"
               for field in ("unit_name", "report_addressee", *LIMITS) if getattr(before, field) != getattr(after, field)]
    record("settings.update", row, actor=actor, summary="；".join(changes) or "未修改")
    if has_request_context():
        g.dwgk_settings = after
    return after
