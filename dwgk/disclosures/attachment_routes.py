"""Attachments: upload and delete (office, on drafts), download (access-checked)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("attachments", __name__)
