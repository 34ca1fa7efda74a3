"""The demo unit, built from the same services the app uses."""
from __future__ import annotations

from dwgk.accounts import services as accounts
from dwgk.accounts.models import Role

DEMO_PASSWORD = "dwgk-demo-2026"

DEMO_USERS = [
    ("admin", "系统管理员", [Role.ADMIN]),
    ("office", "王秀英（党务公开办公室）", [Role.OFFICE, Role.MEMBER]),
    ("office2", "陈志强（党务公开办公室）", [Role.OFFICE, Role.MEMBER]),
    ("reviewer", "李建国（支部书记）", [Role.REVIEWER, Role.MEMBER]),
    ("reviewer2", "赵丽（组织委员）", [Role.REVIEWER, Role.MEMBER]),
    ("reviewer3", "孙伟（纪检委员）", [Role.REVIEWER, Role.MEMBER]),
    ("supervisor", "周敏（党务公开监督员）", [Role.SUPERVISOR, Role.MEMBER]),
    ("member", "刘洋（党员教师）", [Role.MEMBER]),
]


def seed_demo(extra_items: int = 0) -> bool:
    """Create the demo unit unless it exists. True when something was created."""
    created = False
    for username, name, roles in DEMO_USERS:
        if accounts.find_user(username) is None:
            accounts.create_user(username, DEMO_PASSWORD, roles, display_name=name,
                                 must_change_password=False)
            created = True
    return created
