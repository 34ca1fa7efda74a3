"""One page of rows: a count and a LIMIT/OFFSET slice of a query, and what a pager needs."""
from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import func, select

from dwgk.extensions import db


# No list here has 100,000 pages; a larger number would only overflow the database's OFFSET.
MAX_PAGE = 100_000


def page_number(args, name: str = "page") -> int:
    """The page a query string asks for, 1 to MAX_PAGE; anything malformed is page 1."""
    page = args.get(name, 1, type=int) or 1
    return min(max(page, 1), MAX_PAGE)


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
