"""The retention sweep on the run's own table: entries of members made up for it, on either side of the
retention, and clear, undo and event markers on either side of a day, among everything the other parts stored."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from azure.data.tables import TableClient

from interactions.model import CLEAR_MEMORY
from interactions.retention import Budget, expire
from interactions.store import (
    CLEARED_PARTITION,
    EVENTS_PARTITION,
    MARKER_PARTITIONS,
    PAGE_SIZE,
    UNDONE_PARTITION,
    EntryStore,
    row_key,
)
from prove.env import Stack
from prove.report import Row

SECTION = "retention sweep: 30 days, cut short by its budget, then run again"
RETENTION = 30
MEMBERS = 4
ENTRIES_PER_MEMBER = 700  # a day apart and less: both sides of the limit, over more than one page


def retention(stack: Stack) -> list[Row]:
    table = stack.table()
    now = datetime.now(UTC)
    limit = now - timedelta(days=RETENTION)
    owners = [secrets.token_hex(32) for _ in range(MEMBERS)]
    EntryStore(table).ensure_table()  # run alone (--only), no other part has made it
    for owner in owners:
        times = _times(now)
        for first in range(0, len(times), 100):
            table.submit_transaction(
                [
                    ("upsert", {"PartitionKey": owner, "RowKey": row_key(at, f"r{first + n}", 0), "At": at})
                    for n, at in enumerate(times[first : first + 100])
                ]
            )
        marker_age = CLEAR_MEMORY + timedelta(minutes=1) if owner in owners[:2] else timedelta(hours=1)
        table.upsert_entity({"PartitionKey": CLEARED_PARTITION, "RowKey": owner, "At": now - marker_age})
        table.upsert_entity({"PartitionKey": UNDONE_PARTITION, "RowKey": f"{owner}-r0", "At": now - marker_age})
        table.upsert_entity({"PartitionKey": EVENTS_PARTITION, "RowKey": _event_id(owner), "At": now - marker_age})
    others = _others(table, owners)
    store = EntryStore(table)

    runs = [expire(store, now, RETENTION, Budget(pages=1))]
    while not runs[-1].finished and len(runs) < 20:
        runs.append(expire(store, now, RETENTION))
    again = expire(store, now, RETENTION)

    left = [row["At"] for row in table.list_entities(select=["PartitionKey", "At"]) if row["PartitionKey"] in owners]
    old_markers = sum(
        1
        for partition in MARKER_PARTITIONS
        for row in table.query_entities("PartitionKey eq @p", parameters={"p": partition})
        if row["At"] < now - CLEAR_MEMORY
    )
    left_old = sum(1 for at in left if at < limit)
    young_gone = sum(1 for at in _times(now) if at >= limit) * MEMBERS - (len(left) - left_old)
    others_gone = others - _others(table, owners)
    return [
        Row.info(SECTION, "entries made up", MEMBERS * ENTRIES_PER_MEMBER),
        Row.check(SECTION, "runs to finish (the first one page long)", len(runs), runs[-1].finished, len(runs)),
        Row.check(SECTION, "entries older than the retention left", left_old, left_old == 0),
        Row.check(SECTION, "entries younger than the retention deleted", young_gone, young_gone == 0),
        Row.check(SECTION, "clear, undo and event markers older than a day left", old_markers, old_markers == 0),
        Row.check(SECTION, "the other parts' rows deleted", others_gone, others_gone == 0),
        Row.check(
            SECTION, "deleted by a second sweep", again.entries + again.markers, not again.entries + again.markers
        ),
        Row.info(SECTION, "page size", PAGE_SIZE),
    ]


def _times(now: datetime) -> list[datetime]:
    return [now - timedelta(hours=index * 3, minutes=1) for index in range(ENTRIES_PER_MEMBER)]


def _others(table: TableClient, owners: list[str]) -> int:
    """The rows the other parts stored: their entries, and their clear, undo and event markers."""
    rows = table.list_entities(select=["PartitionKey", "RowKey"])
    ours = {*owners, *map(_event_id, owners)}
    return sum(
        1
        for row in rows
        if row["PartitionKey"] not in ours and row["RowKey"][:64] not in ours and row["RowKey"] not in ours
    )


def _event_id(owner: str) -> str:
    """The id of an event marker made up for ``owner``: Slack's event ids start with "Ev"."""
    return f"Ev{owner}"
