"""The retention sweep against the in-memory store: what is too old goes, what is younger stays, and a sweep
cut short by its budget is finished by the next."""

from __future__ import annotations

import itertools
import logging
from datetime import UTC, datetime, timedelta

import pytest

from interactions.model import CLEAR_MEMORY, Person, Rated
from interactions.retention import Budget, Swept, expire, oldest_kept
from tests.fakes import FakeStore

NOW = datetime(2026, 11, 26, 3, 30, tzinfo=UTC)
RETENTION = 30
ME, YOU = "a" * 64, "b" * 64
DON = [Rated(Person("U0DON", mention=True), 1)]


def store_with_history(page_size: int = 1000) -> FakeStore:
    """Two members, an entry a day for 60 days each; three clear markers of different ages."""
    store = FakeStore(page_size=page_size)
    for owner in (ME, YOU):
        for day in range(60):
            store.add(owner, f"c{day}", NOW - timedelta(days=day, hours=1), DON)
    store.clears = {
        ME: NOW - timedelta(hours=2),
        YOU: NOW - CLEAR_MEMORY - timedelta(minutes=1),
        "c" * 64: NOW - timedelta(days=40),
    }
    return store


def ages(store: FakeStore, owner: str) -> list[int]:
    return sorted((NOW - entry.at).days for entry in store.stored(owner))


def test_entries_older_than_the_retention_go_and_younger_ones_stay() -> None:
    store = store_with_history()

    swept = expire(store, NOW, RETENTION)

    assert swept == Swept(entries=2 * 30, markers=2, finished=True)
    assert ages(store, ME) == ages(store, YOU) == list(range(30))  # day 29, 1 hour older than 29 days: kept
    assert store.clears == {ME: NOW - timedelta(hours=2)}


def test_an_entry_exactly_at_the_limit_stays() -> None:
    store = FakeStore()
    limit = NOW - timedelta(days=RETENTION)
    store.add(ME, "at", limit, DON)
    store.add(ME, "before", limit - timedelta(milliseconds=1), DON)

    assert expire(store, NOW, RETENTION).entries == 1
    assert [entry.at for entry in store.stored(ME)] == [limit]


def test_a_sweep_cut_short_by_its_pages_is_finished_by_the_next() -> None:
    store = store_with_history(page_size=7)
    budget = Budget(pages=3, seconds=60)

    runs = [expire(store, NOW, RETENTION, budget)]
    while not runs[-1].finished:
        runs.append(expire(store, NOW, RETENTION, budget))

    assert len(runs) > 2
    assert all(run.entries + run.markers <= 3 * 7 for run in runs)
    assert sum(run.entries for run in runs) == 60 and sum(run.markers for run in runs) == 2
    assert ages(store, ME) == ages(store, YOU) == list(range(30))


def test_a_budget_of_one_page_still_gets_through_in_the_end() -> None:
    store = store_with_history(page_size=5)
    store.clears = {}  # nothing to forget: that query's end must not use up the page

    runs = [expire(store, NOW, RETENTION, Budget(pages=1))]
    while not runs[-1].finished and len(runs) < 100:
        runs.append(expire(store, NOW, RETENTION, Budget(pages=1)))

    assert sum(run.entries for run in runs) == 60
    assert ages(store, ME) == list(range(30))


def test_a_sweep_cut_short_by_its_time_stops_between_pages() -> None:
    store = store_with_history(page_size=10)
    ticks = itertools.count(step=25)  # each look at the clock 25 s later

    first = expire(store, NOW, RETENTION, Budget(pages=1000, seconds=60), clock=lambda: float(next(ticks)))

    assert not first.finished
    assert 0 < first.entries + first.markers < 62
    assert expire(store, NOW, RETENTION).finished
    assert ages(store, ME) == list(range(30))


def test_a_second_sweep_changes_nothing() -> None:
    store = store_with_history()
    expire(store, NOW, RETENTION)
    rows, clears = {owner: dict(mine) for owner, mine in store.rows.items()}, dict(store.clears)

    assert expire(store, NOW, RETENTION) == Swept(entries=0, markers=0, finished=True)
    assert store.rows == rows and store.clears == clears


def test_the_default_retention_keeps_ten_years_and_a_longer_one_keeps_everything() -> None:
    assert oldest_kept(NOW, 3650) == NOW - timedelta(days=3650)
    assert datetime(1970, 1, 1, tzinfo=UTC) <= oldest_kept(NOW, 10**9) < datetime(1970, 1, 2, tzinfo=UTC)
    store = store_with_history()
    assert expire(store, NOW, 10**9).entries == 0


def test_the_log_line_says_how_many_and_nothing_of_anyone(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "interactions.retention")
    expire(store_with_history(), NOW, RETENTION)

    (line,) = [record.getMessage() for record in caplog.records]
    assert line == "Retention sweep deleted entries: 60, expired markers: 2, person rows: 0; nothing too old is left."
    assert ME not in caplog.text and "U0DON" not in caplog.text


def test_storage_out_of_reach_propagates() -> None:
    store = store_with_history()
    store.failing = ConnectionError("storage down")

    with pytest.raises(ConnectionError):
        expire(store, NOW, RETENTION)
