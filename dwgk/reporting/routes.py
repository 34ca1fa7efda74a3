"""The dashboard and the ledger with its CSV/XLSX exports."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reporting", __name__)
