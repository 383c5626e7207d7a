"""The dashboard: what a member asked to see (span, view, filter, page) and one page of it.

The state travels in the dashboard's own buttons and menus, so that any press can be carried out by any worker
with nothing remembered in between. Lists page by the key of their first entry, which the store reads from
directly: a page costs the same however far back it is. Person and time views add up the whole span anyway,
so they page by number.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import assert_never

from interactions import reports
from interactions.model import DEFAULT_DAYS, Entry, Mode
from interactions.ports import PagedStore
from interactions.reports import BucketTotals, Period, PersonTotals, Totals

PAGE_SIZE = 50  # rows on a page: entries, people or periods
# People: a block each, as each has its own button, and a message holds 50 blocks with the dashboard's own.
PEOPLE_PAGE_SIZE = 40
SPANS = (7, 30, 90, 365, 3650)  # the span menu's choices, with the member's own number when it is another


@dataclass(frozen=True)
class Dashboard:
    """What a member asked to see."""

    days: int = DEFAULT_DAYS
    mode: Mode = Mode.LIST
    rating: int | None = None  # POSITIVE or NEGATIVE to keep only those
    page: int = 0  # 0: the newest
    start: str | None = None  # a list page's first entry (its store key); None: the newest entries
    before: str | None = None  # a list page asked for by Newer: the entries just newer than this key
    totals: tuple[int, int] | None = None  # a list's (positive, negative) in the span, as its first page counted

    def first_page(self) -> Dashboard:
        """The same span, view and filter, from the newest; what a changed control shows."""
        return Dashboard(self.days, self.mode, self.rating)


@dataclass(frozen=True)
class Page:
    """One page of a dashboard, ready to be shown."""

    dashboard: Dashboard  # as shown: a list's ``start`` is the key of its first entry
    totals: Totals  # of the whole span (under a filter, of the kept entries)
    count: int  # rows in all: entries, people or periods
    first: int  # the position of this page's first row, from 1
    entries: list[Entry] = field(default_factory=list)  # a list's rows
    people: list[PersonTotals] = field(default_factory=list)
    buckets: list[BucketTotals] = field(default_factory=list)
    period: Period | None = None  # of a time view
    older: Dashboard | None = None  # what Older shows; None on the last page
    newer: Dashboard | None = None  # what Newer shows; None on the first page

    @property
    def rows(self) -> int:
        return len(self.entries) + len(self.people) + len(self.buckets)


def read(store: PagedStore, owner: str, dashboard: Dashboard, now: datetime) -> Page:
    """The page ``dashboard`` asks for, as the store holds it now."""
    since = now - timedelta(days=dashboard.days)
    match dashboard.mode:
        case Mode.LIST:
            return _list_page(store, owner, dashboard, since)
        case Mode.PERSON:
            people = reports.by_person(store.entries(owner, since, dashboard.rating))
            page = _numbered(dashboard, len(people), PEOPLE_PAGE_SIZE)
            shown = people[page * PEOPLE_PAGE_SIZE : (page + 1) * PEOPLE_PAGE_SIZE]
            totals = reports.combined(people)
            return _numbered_page(dashboard, page, len(people), totals, PEOPLE_PAGE_SIZE, people=shown)
        case Mode.TIME:
            period = reports.period_for(dashboard.days)
            buckets = reports.by_time(store.entries(owner, since, dashboard.rating), period)
            page = _numbered(dashboard, len(buckets))
            shown_buckets = buckets[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
            totals = reports.combined(buckets)
            return _numbered_page(
                dashboard, page, len(buckets), totals, PAGE_SIZE, buckets=shown_buckets, period=period
            )
        case _:
            assert_never(dashboard.mode)


def _numbered(dashboard: Dashboard, count: int, size: int = PAGE_SIZE) -> int:
    """The page asked for, or the last one when the rows have since shrunk below it."""
    last = max(0, (count - 1) // size)
    return min(max(dashboard.page, 0), last)


def _numbered_page(dashboard: Dashboard, page: int, count: int, totals: Totals, size: int, **rows: object) -> Page:
    shown = replace(dashboard.first_page(), page=page)
    older = replace(shown, page=page + 1) if (page + 1) * size < count else None
    newer = replace(shown, page=page - 1) if page > 0 else None
    return Page(shown, totals, count, page * size + 1, older=older, newer=newer, **rows)  # type: ignore[arg-type]


def _list_page(store: PagedStore, owner: str, dashboard: Dashboard, since: datetime) -> Page:
    start, page = dashboard.start, dashboard.page
    if dashboard.before is not None:
        start = store.newer_start(owner, since, dashboard.rating, dashboard.before, PAGE_SIZE)
        if start is None:
            page = 0
    if start is None:
        page = 0
    read_page = store.page(owner, since, dashboard.rating, start, PAGE_SIZE)
    if not read_page.entries and start is not None:  # the page's entries have gone (undone, cleared): the newest
        page, read_page = 0, store.page(owner, since, dashboard.rating, None, PAGE_SIZE)
    if dashboard.totals is not None and page > 0:
        totals = Totals(*dashboard.totals)
    else:
        totals = Totals()
        for rating in store.ratings_since(owner, since):
            if dashboard.rating in (None, rating):
                totals.add(rating)
    shown = Dashboard(
        dashboard.days,
        dashboard.mode,
        dashboard.rating,
        page=page,
        start=read_page.first_key if page > 0 else None,
        totals=(totals.positive, totals.negative),
    )
    older = None
    if read_page.next_key is not None:
        older = replace(shown, page=page + 1, start=read_page.next_key)
    newer = None
    if page > 0 and read_page.first_key is not None:
        newer = replace(shown, page=page - 1, start=None, before=read_page.first_key)
    first = page * PAGE_SIZE + 1
    return Page(shown, totals, totals.count, first, entries=read_page.entries, older=older, newer=newer)
