"""Pages of a long list, counted and sliced in SQL: 50 rows a page, GOV.UK pagination links."""
import math
from dataclasses import dataclass

from sqlalchemy import Select, func, select

from lms.extensions import db

PER_PAGE = 50


@dataclass(frozen=True)
class Page:
    items: list
    number: int
    total: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first(self) -> int:
        """The position of the first row shown, counting from 1."""
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.number * self.per_page, self.total)

    def numbers(self) -> list[int | None]:
        """Page numbers for GOV.UK pagination: the first, the last and those beside the current; None is a gap."""
        wanted = sorted({1, self.pages, *range(max(1, self.number - 1), min(self.pages, self.number + 1) + 1)})
        shown: list[int | None] = []
        for number in wanted:
            if shown and number - shown[-1] > 1:
                shown.append(None)
            shown.append(number)
        return shown


def page_number(value: str | None) -> int:
    """The page asked for in the query string; anything but a positive whole number is page 1."""
    return int(value) if value and value.isdigit() and 0 < int(value) < 1_000_000 else 1


def page_of(query: Select, number: int, total: int, params: dict | None = None, per_page: int = PER_PAGE) -> Page:
    """Rows of one page of an ordered query whose total is already counted; a page past the end shows the last."""
    number = min(number, max(1, math.ceil(total / per_page)))
    rows = db.session.execute(query.limit(per_page).offset((number - 1) * per_page), params).unique().all() if total else []
    items = [row[0] if len(row) == 1 else row for row in rows]
    return Page(items, number, total, per_page)


def paged(query: Select, number: int, per_page: int = PER_PAGE) -> Page:
    """One page of an ordered query, its rows counted in SQL first."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return page_of(query, number, total, per_page=per_page)
