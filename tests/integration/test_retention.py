"""The retention sweep against Azurite: across every member's partition, what is older than the retention
goes, what is younger stays, and the clear markers last no longer than a day."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Generator
from datetime import UTC, datetime, timedelta

import pytest
from azure.data.tables import TableClient

from interactions import settings as setting
from interactions.model import CLEAR_MEMORY, Person, Rated
from interactions.retention import Budget, Swept, expire
from interactions.storage_account import CONNECTION
from interactions.store import CLEARED_PARTITION, EntryStore
from local.azurite import Azurite
from local.host import ROOT

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 26, 3, 30, 0, 123000, tzinfo=UTC)
RETENTION = 30
OWNERS = ("0" * 64, "c" * 64, "f" * 64)  # on both sides of the clear markers' partition, in key order
DON = [Rated(Person("U0DON", mention=True), 1)]


class SmallPages(EntryStore):
    """Pages of 25 rows, so that a budget of pages runs out on a few dozen entries."""

    def expired_pages(self, before: datetime, page_size: int = 25) -> Generator[int, None, None]:
        return super().expired_pages(before, page_size)

    def expired_person_pages(self, before: datetime, page_size: int = 25) -> Generator[int, None, None]:
        return super().expired_person_pages(before, page_size)


@pytest.fixture
def table(azurite: Azurite, unique_name: str) -> TableClient:
    return TableClient.from_connection_string(azurite.connection_string, table_name=unique_name)


@pytest.fixture
def store(table: TableClient) -> EntryStore:
    """Three members, each with an entry every 12 hours going back 45 days, and a minute either side of the
    limit; three clear markers, from an hour to 40 days old."""
    store = SmallPages(table)
    limit = NOW - timedelta(days=RETENTION)
    for owner in OWNERS:
        times = [NOW - timedelta(hours=12 * n, minutes=1) for n in range(90)]
        for index, at in enumerate([*times, limit + timedelta(milliseconds=1), limit - timedelta(milliseconds=1)]):
            store.add(owner, f"c{index}", at, DON)
    ages = (timedelta(hours=1), CLEAR_MEMORY + timedelta(minutes=1), timedelta(days=40))
    for owner, age in zip(OWNERS, ages, strict=True):
        table.upsert_entity({"PartitionKey": CLEARED_PARTITION, "RowKey": owner, "At": NOW - age})
    return store


def everything(table: TableClient) -> dict[str, list[datetime]]:
    found: dict[str, list[datetime]] = {}
    for row in table.list_entities(select=["PartitionKey", "At"]):
        found.setdefault(row["PartitionKey"], []).append(row["At"])
    return found


def expected(before: dict[str, list[datetime]]) -> dict[str, list[datetime]]:
    kept = {owner: [at for at in times if at >= NOW - timedelta(days=RETENTION)] for owner, times in before.items()}
    kept[CLEARED_PARTITION] = [at for at in before[CLEARED_PARTITION] if at >= NOW - CLEAR_MEMORY]
    return kept


def test_a_sweep_deletes_every_older_entry_and_marker_and_keeps_every_younger_one(
    table: TableClient, store: EntryStore
) -> None:
    before = everything(table)

    swept = expire(store, NOW, RETENTION)

    after = everything(table)
    assert after == expected(before)
    # 30 days of two a day, and the one at the limit; each entry and its person row
    assert all(len(after[owner]) == 2 * (60 + 1) for owner in OWNERS)
    assert swept == Swept(entries=3 * (30 + 1), markers=2, finished=True, person_rows=3 * (30 + 1))


def test_a_sweep_cut_short_is_finished_by_the_next(table: TableClient, store: EntryStore) -> None:
    before = everything(table)
    budget = Budget(pages=2, seconds=60)

    first = expire(store, NOW, RETENTION, budget)
    assert not first.finished
    assert everything(table) != expected(before)  # some old entries are left...

    runs = [first]
    while not runs[-1].finished:
        runs.append(expire(store, NOW, RETENTION, budget))

    assert everything(table) == expected(before)  # ...and the next runs take them, and nothing else
    assert sum(run.entries for run in runs) == 3 * 31 and sum(run.markers for run in runs) == 2
    assert sum(run.person_rows for run in runs) == 3 * 31


def test_a_second_sweep_changes_nothing(table: TableClient, store: EntryStore) -> None:
    expire(store, NOW, RETENTION)
    after_first = sorted((row["PartitionKey"], row["RowKey"]) for row in table.list_entities())

    assert expire(store, NOW, RETENTION) == Swept(entries=0, markers=0, finished=True)
    assert sorted((row["PartitionKey"], row["RowKey"]) for row in table.list_entities()) == after_first


def test_a_sweep_on_a_table_not_made_yet_deletes_nothing(table: TableClient) -> None:
    assert expire(EntryStore(table), NOW, RETENTION) == Swept(entries=0, markers=0, finished=True)


def test_make_expire_runs_the_sweep_with_the_local_settings(azurite: Azurite, table: TableClient) -> None:
    store = EntryStore(table)
    today = datetime.now(UTC)
    store.add(OWNERS[0], "old", today - timedelta(days=RETENTION + 1), DON)
    store.add(OWNERS[0], "new", today - timedelta(days=RETENTION - 1), DON)
    env = {
        **os.environ,
        CONNECTION: azurite.connection_string,
        setting.TABLE: table.table_name,
        setting.RETENTION_DAYS: str(RETENTION),
    }

    command = [sys.executable, "-m", "local.expire"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    assert done.returncode == 0, done.stderr
    assert "Retention sweep deleted entries: 1, expired markers: 0" in done.stderr
    assert len(everything(table)[OWNERS[0]]) == 2  # the new entry and its person row
