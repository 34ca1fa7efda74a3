"""`flask --app app catalog …`"""
from __future__ import annotations

from flask.cli import AppGroup

catalog_cli = AppGroup("catalog", help="公开目录。")
