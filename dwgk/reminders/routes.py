"""My duties: what the signed-in office worker or reviewer has to do, and by when."""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from dwgk import policy
from dwgk.core import clock
from dwgk.reminders import queries
from dwgk.web.render import render

bp = Blueprint("duties", __name__, url_prefix="/duties")


@bp.get("")
@policy.require(policy.can_see_duties)
def index():
    return render("reminders/duties.html",
                  duties=queries.my_duties(current_user._get_current_object(), clock.today()),
                  horizon_workdays=queries.HORIZON_WORKDAYS)
