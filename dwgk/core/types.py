"""Column types shared by the models, and the range of their ids."""
from __future__ import annotations

from datetime import timezone

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

# Ids are INTEGER columns: 32 bits on PostgreSQL (64 on SQLite). A larger number in a URL
# or a query string names no row; passing it on would overflow the driver or the server.
MAX_ID = 2**31 - 1


def query_id(value: str) -> int:
    """`type` for an id in a query string (`request.args.get("item", type=query_id)`): an
    id a row can have, else ValueError, which `args.get` turns into None — so
    `?item=99999999999999999999` means "no item", not an overflow in the database driver."""
    number = int(value)
    if not 1 <= number <= MAX_ID:
        raise ValueError(f"not an id: {value!r}")
    return number


class UTCDateTime(TypeDecorator):
    """A timestamp stored as naive UTC and always returned timezone-aware (UTC).

    SQLite drops time zones and PostgreSQL keeps them; storing naive UTC behaves the
    same on both, and Python code never sees a naive datetime.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)
