"""My duties: what the signed-in office worker or reviewer has to do, and by when."""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from dwgk import policy
from dwgk.core import clock
from dwgk.reminders import queries, work
from dwgk.web.render import render

bp = Blueprint("duties", __name__, url_prefix="/duties")


@bp.get("")
@policy.require(policy.can_see_duties)
def index():
    user = current_user._get_current_object()
    return render("reminders/duties.html", work=work.my_work(user),
                  duties=queries.my_duties(user, clock.today()),
                  horizon_days=queries.HORIZON_DAYS)
