"""Paging for the pages' long lists (a campaign's ranking, applications, moderation, the
scoring queue, the interview schedule): Django's ``Paginator`` over a list that fetches only
the page it is asked for, and the items of the GOV.UK pagination component."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, overload

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict

T = TypeVar("T")

#: Rows a page shows: enough to read a page as a list, small enough that a campaign of
#: 65,000 applications pages in well under 200 KB of HTML.
PER_PAGE = 50


class Rows(Sequence[T]):
    """A list of ``count`` rows of which only a slice is ever fetched, by
    ``fetch(offset, limit)``: what ``Paginator`` needs to page a query it cannot slice
    itself (a ranking, a list computed from several queries)."""

    def __init__(self, count: int, fetch: Callable[[int, int], list[T]]) -> None:
        self._count = count
        self._fetch = fetch

    def __len__(self) -> int:
        return self._count

    def count(self, value: Any = None) -> int:
        # ``Paginator`` reads ``object_list.count()`` when it is callable.
        return self._count

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            start, stop, _ = index.indices(self._count)
            return self._fetch(start, max(stop - start, 0)) if stop > start else []
        return self._fetch(index, 1)[0]


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: an ellipsis
    href: str
    current: bool = False


def paginate(
    request: HttpRequest, rows: Sequence[Any] | QuerySet[Any], per_page: int = PER_PAGE
) -> Page:
    """The page of ``rows`` that ``?page=`` asks for; a page that is not a number, or past
    the end, gives the nearest page there is (a page is a place to read, not an API)."""
    return Paginator(rows, per_page, allow_empty_first_page=True).get_page(request.GET.get("page"))


def page_links(request: HttpRequest, page: Page) -> dict[str, Any]:
    """The GOV.UK pagination component's items: previous, next and the page numbers (the
    first, the last, the current one and its neighbours, ellipses between), each link
    keeping the other query parameters (the filters)."""

    def href(number: int) -> str:
        query: QueryDict = request.GET.copy()
        query["page"] = str(number)
        return f"?{query.urlencode()}"

    last = page.paginator.num_pages
    shown = sorted(
        {1, last, page.number - 1, page.number, page.number + 1} & set(range(1, last + 1))
    )
    items: list[PageLink] = []
    for number in shown:
        if items and items[-1].number is not None and number - items[-1].number > 1:
            items.append(PageLink(number=None, href=""))
        items.append(PageLink(number=number, href=href(number), current=number == page.number))
    return {
        "page": page,
        "items": items if last > 1 else [],
        "previous": href(page.number - 1) if page.has_previous() else None,
        "next": href(page.number + 1) if page.has_next() else None,
        "first_shown": page.start_index(),
        "last_shown": page.end_index(),
        "count": page.paginator.count,
    }
