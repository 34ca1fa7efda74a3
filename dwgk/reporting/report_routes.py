"""The summary report (专题报告) for a quarter or a year: page, print view and PDF."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("report", __name__, url_prefix="/report")
