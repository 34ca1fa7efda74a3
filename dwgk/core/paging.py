"""One page of rows: a count and a LIMIT/OFFSET slice of a query, and what a pager needs."""
from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import func, select

from dwgk.extensions import db


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def rows_page(query, page: int, per_page: int) -> tuple[list, Page]:
    """(rows, Page without items): a count and one page of `query`, two queries. A page
    number past the end gives the last page."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    return rows, Page([], page, per_page, total)
