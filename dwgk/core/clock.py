"""The only source of "now". Tests freeze it with `clock.freeze(...)`.

Times are stored and compared in UTC; the unit lives in China, so "today" and every
date shown to a person are in Asia/Shanghai.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")

_frozen: datetime | None = None


def now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    if _frozen is not None:
        return _frozen
    return datetime.now(timezone.utc)


def local_now() -> datetime:
    return now().astimezone(LOCAL_TZ)


def today() -> date:
    """Today's date where the unit is (Asia/Shanghai)."""
    return local_now().date()


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment.astimezone(timezone.utc)


def set_frozen(moment: datetime | None) -> None:
    """Freeze the clock at `moment` (naive means Asia/Shanghai), or unfreeze with None."""
    global _frozen
    _frozen = None if moment is None else _as_utc(moment)


@contextmanager
def freeze(moment: datetime):
    previous = _frozen
    set_frozen(moment)
    try:
        yield
    finally:
        set_frozen(previous)
