"""Every page a person can open, asked with a query string nobody meant: a hand-edited
address, an old bookmark, a crawler. None of it may give a server error."""
from __future__ import annotations

import pytest

from tests.conftest import ROLES

ODD = [
    # a page number too large for the database's OFFSET, and malformed filters
    "page=99999999999999999999&notes_page=-3&category=abc&scope=xyz&state=xyz&status=xyz"
    "&channel=xyz&kind=xyz&topic=xyz&decision=xyz&answered=xyz&mine=abc&q=" + "党" * 600,
    "page=abc&period=2026Q9&category=-5&q=%00",
    "period=9999-01-01..9999-02-01",
]
IDS = {"slug": "default", "filename": "x.pdf"}


@pytest.mark.parametrize("who", ["anonymous", *ROLES])
def test_odd_query_strings_never_give_a_server_error(app, users, login_as, who):
    client = login_as(who)
    errors = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        path = rule.build({name: IDS.get(name, 1) for name in rule.arguments},
                          append_unknown=False)[1]
        for query in ODD:
            response = client.get(f"{path}?{query}", buffered=True)
            if response.status_code >= 500:
                errors.append(f"{path}?{query[:50]}: {response.status_code}")
    assert not errors, "\n".join(errors)
