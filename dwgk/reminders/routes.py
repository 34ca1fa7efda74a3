"""My duties: what the signed-in office worker or reviewer has to do, and by when."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("duties", __name__, url_prefix="/duties")
