"""The disclosure state machine: one table and one transition(). Nothing else assigns
`Disclosure.state`.

    draft ──submit──> in_review ──approve──> approved ──publish──> published ──archive──> archived
      ^  ^                │  │                  │                      │
      │  └────return──────┘  │                  │  revise (new revision) ──> draft
      └──────redraft─────────┴──────────────────┘

`return` is a reviewer's (with a reason); `redraft` (退回草稿) is the office's way back from
review or from an approved item it cannot or should not publish (with a reason). Every
submission opens a new review round (services.submit). `withdraw` takes an item off every board from any state but withdrawn. Whether an action
is *allowed* for a user is policy.py's question; whether it is *legal* in a state is this
table's.
"""
from __future__ import annotations

import enum

from dwgk.disclosures.models import Disclosure, State


class Action(str, enum.Enum):
    SUBMIT = "submit"
    RETURN = "return"
    REDRAFT = "redraft"
    APPROVE = "approve"
    PUBLISH = "publish"
    REVISE = "revise"
    ARCHIVE = "archive"
    WITHDRAW = "withdraw"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS = {
    Action.SUBMIT: "提交审核",
    Action.RETURN: "退回修改",
    Action.REDRAFT: "退回草稿",
    Action.APPROVE: "审核通过",
    Action.PUBLISH: "发布",
    Action.REVISE: "修订（再公开）",
    Action.ARCHIVE: "归档",
    Action.WITHDRAW: "撤回",
}

TRANSITIONS: dict[tuple[State, Action], State] = {
    (State.DRAFT, Action.SUBMIT): State.IN_REVIEW,
    (State.IN_REVIEW, Action.RETURN): State.DRAFT,
    (State.IN_REVIEW, Action.APPROVE): State.APPROVED,
    (State.IN_REVIEW, Action.REDRAFT): State.DRAFT,
    (State.APPROVED, Action.REDRAFT): State.DRAFT,
    (State.APPROVED, Action.PUBLISH): State.PUBLISHED,
    (State.PUBLISHED, Action.REVISE): State.DRAFT,
    (State.PUBLISHED, Action.ARCHIVE): State.ARCHIVED,
    **{(state, Action.WITHDRAW): State.WITHDRAWN for state in State if state != State.WITHDRAWN},
}


class IllegalTransition(ValueError):
    """An action that the item's state does not allow; the message is for the user."""


def is_legal(state: State, action: Action) -> bool:
    return (state, action) in TRANSITIONS


def transition(disclosure: Disclosure, action: Action) -> State:
    """Move `disclosure` by `action`, or raise IllegalTransition with a Chinese message."""
    target = TRANSITIONS.get((disclosure.state, action))
    if target is None:
        raise IllegalTransition(
            f"“{disclosure.state.label}”状态的事项不能{action.label}。")
    disclosure.state = target
    return target
