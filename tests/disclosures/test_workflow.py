"""The state machine: every (state, action) pair, legal and illegal."""
from __future__ import annotations

import itertools

import pytest

from dwgk.disclosures.models import Disclosure, State
from dwgk.disclosures.workflow import TRANSITIONS, Action, IllegalTransition, is_legal, transition

LEGAL = {
    (State.DRAFT, Action.SUBMIT): State.IN_REVIEW,
    (State.IN_REVIEW, Action.RETURN): State.DRAFT,
    (State.IN_REVIEW, Action.APPROVE): State.APPROVED,
    (State.IN_REVIEW, Action.REDRAFT): State.DRAFT,
    (State.APPROVED, Action.REDRAFT): State.DRAFT,
    (State.APPROVED, Action.PUBLISH): State.PUBLISHED,
    (State.PUBLISHED, Action.REVISE): State.DRAFT,
    (State.PUBLISHED, Action.ARCHIVE): State.ARCHIVED,
    (State.DRAFT, Action.WITHDRAW): State.WITHDRAWN,
    (State.IN_REVIEW, Action.WITHDRAW): State.WITHDRAWN,
    (State.APPROVED, Action.WITHDRAW): State.WITHDRAWN,
    (State.PUBLISHED, Action.WITHDRAW): State.WITHDRAWN,
    (State.ARCHIVED, Action.WITHDRAW): State.WITHDRAWN,
}


def test_the_table_is_exactly_the_designed_one():
    assert TRANSITIONS == LEGAL


@pytest.mark.parametrize("state, action", list(itertools.product(State, Action)),
                         ids=lambda value: value.value)
def test_every_pair(state, action):
    item = Disclosure(state=state)
    if (state, action) in LEGAL:
        assert is_legal(state, action)
        assert transition(item, action) == LEGAL[(state, action)]
        assert item.state == LEGAL[(state, action)]
    else:
        assert not is_legal(state, action)
        with pytest.raises(IllegalTransition) as refused:
            transition(item, action)
        assert item.state == state
        assert state.label in str(refused.value) and action.label in str(refused.value)


def test_only_the_workflow_module_assigns_state():
    """Nothing but workflow.transition() may write `.state` (style.md, habit 1)."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2] / "dwgk"
    offenders = []
    for path in root.rglob("*.py"):
        if path.name == "workflow.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"\.state\s*=[^=]", line):
                offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert not offenders, offenders
