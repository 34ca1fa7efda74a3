"""What every template may use: date and size formatting, the unit's name."""
from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask_babel import format_datetime

from dwgk.core import settings


def local_datetime(value: datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    return "" if value is None else format_datetime(value, fmt)


def file_size(size: int) -> str:
    """A file size as a person reads it, in Chinese: 512 字节, 37 KB, 1.5 MB."""
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{-(-size // 1024)} KB"
    return f"{size / 1048576:.1f} MB"


def init_app(app: Flask) -> None:
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["file_size"] = file_size

    @app.context_processor
    def unit():
        return {"unit_name": settings.unit_name()}
