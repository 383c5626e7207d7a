"""The retention sweep: every member's entries older than the retention with the rows kept for their people,
and the expired markers (of clears, forgets, undos and events carried out, each remembered for
``CLEAR_MEMORY``), deleted page by page within a budget of pages and seconds.

A sweep cut short by its budget leaves the rest, and the next one carries on: each reads afresh what is
still too old, so running one twice, or two at once, deletes nothing that should stay.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from interactions.model import CLEAR_MEMORY
from interactions.ports import Expiring

log = logging.getLogger(__name__)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Budget:
    """How much one sweep may do. The seconds stay well inside host.json's functionTimeout (5 minutes),
    since a page is finished once started; the pages (1,000 entries each) bound a run whatever the speed."""

    pages: int = 500
    seconds: float = 120.0


@dataclass(frozen=True)
class Swept:
    entries: int  # deleted
    markers: int  # expired markers deleted: of clears, forgets, undos and events
    finished: bool  # nothing too old was left; False when the budget ran out first
    person_rows: int = 0  # deleted: the rows kept for the people of the entries deleted, and members' markers


def oldest_kept(now: datetime, retention_days: int) -> datetime:
    """The time before which entries go. A retention reaching back past 1970 keeps everything, as no entry
    is older; capping it there also keeps an absurdly long one from overflowing the date."""
    return now - timedelta(days=min(retention_days, (now - _EPOCH).days))


def expire(
    store: Expiring,
    now: datetime,
    retention_days: int,
    budget: Budget = Budget(),
    clock: Callable[[], float] = time.monotonic,
) -> Swept:
    """Delete what is past keeping, expired markers first (few, and the stricter promise), then entries, then
    their person rows (each written only while its entry is there, so none is left behind for a later one)."""
    started = clock()
    spent = [0]  # pages that deleted something: an empty one, the end of a query, costs only time

    def may_go_on() -> bool:
        return spent[0] < budget.pages and clock() - started < budget.seconds

    markers, markers_all = _drain(store.expired_marker_pages(now - CLEAR_MEMORY), may_go_on, spent)
    oldest = oldest_kept(now, retention_days)
    entries, expired_all = _drain(store.expired_pages(oldest), may_go_on, spent)
    person_rows, people_all = _drain(store.expired_person_pages(oldest), may_go_on, spent)
    swept = Swept(entries, markers, markers_all and expired_all and people_all, person_rows)
    log.info(
        "Retention sweep deleted entries: %d, expired markers: %d, person rows: %d; %s.",
        swept.entries,
        swept.markers,
        swept.person_rows,
        "nothing too old is left" if swept.finished else "the budget ran out, the next run carries on",
    )
    return swept


def _drain(pages: Generator[int, None, None], may_go_on: Callable[[], bool], spent: list[int]) -> tuple[int, bool]:
    """Pull pages while the budget allows; how many rows went, and whether the pages ran out first."""
    deleted = 0
    try:
        while may_go_on():
            count = next(pages, None)
            if count is None:
                return deleted, True
            deleted += count
            spent[0] += count > 0
        return deleted, False
    finally:
        pages.close()
