"""The retention sweep: the timer function ``expire_old_entries`` on a table of many members' entries, most
of them past the retention, against the raw paged query and delete transactions of the same rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import groupby
from operator import itemgetter
from typing import Any

from azure.data.tables import TableClient
from azure.functions.timer import TimerRequest  # the concrete one the host hands the function

from bench.env import Bench, BenchFailure, create_all, environment, owner_of, raw_delete, seeded_entity, unique
from bench.report import Row, ratio_row
from bench.stats import Action, interleaved, median
from interactions.retention import oldest_kept
from interactions.settings import RETENTION_DAYS as RETENTION_DAYS_SETTING
from interactions.settings import TABLE
from interactions.store import CLEARED_PARTITION, PAGE_SIZE, TRANSACTION_SIZE, newer_than
from testkit.functions import registered_functions

RETENTION_DAYS = 30
# A hundred old entries a member, one seeding transaction each: Azurite slows down (quadratically) as one
# partition grows to thousands of entities, which would time Azurite rather than the sweep.
OLD_PER_MEMBER = TRANSACTION_SIZE
YOUNG_EVERY = 10  # every tenth member also has entries within the retention, in the same partition
YOUNG_PER_MEMBER = 10


@dataclass(frozen=True)
class Seeded:
    table: TableClient
    old: int
    young: set[tuple[str, str]]  # (PartitionKey, RowKey) of the entries the sweep must keep


def seeded_table(bench: Bench, entries: int) -> Seeded:
    """A new table holding ``entries`` entries older than the retention (31 days to about a year), and some
    younger ones (1 to 10 days), spread over ``entries / 100`` members."""
    table = TableClient.from_connection_string(bench.connection_string, unique("sweep").lower())
    table.create_table()
    now = datetime.now(UTC)
    prefix = unique("U0S")
    old: list[list[dict[str, Any]]] = []
    young: list[list[dict[str, Any]]] = []
    for member in range(entries // OLD_PER_MEMBER):
        owner = owner_of(f"{prefix}{member:05d}")
        indexes = range(OLD_PER_MEMBER)
        old.append([seeded_entity(owner, i, now - timedelta(days=RETENTION_DAYS + 1 + 3 * i)) for i in indexes])
        if member % YOUNG_EVERY == 0:
            indexes = range(OLD_PER_MEMBER, OLD_PER_MEMBER + YOUNG_PER_MEMBER)  # numbered on: RowKeys stay unique
            young.append([seeded_entity(owner, i, now - timedelta(days=i - OLD_PER_MEMBER + 1)) for i in indexes])
    create_all(table, old + young)
    kept = {(entity["PartitionKey"], entity["RowKey"]) for batch in young for entity in batch}
    return Seeded(table, sum(map(len, old)), kept)


def raw_sweep(table: TableClient, before: datetime) -> int:
    """The sweep's own cross-partition query of the keys of entries logged before ``before``, each page's
    rows deleted in transactions of up to 100 of one partition's."""
    rows = table.query_entities(
        "PartitionKey ne @cleared and RowKey ge @older and RowKey lt @past_digits",
        parameters={"cleared": CLEARED_PARTITION, "older": newer_than(before), "past_digits": ":"},
        select=["PartitionKey", "RowKey"],
        results_per_page=PAGE_SIZE,
    )
    deleted = 0
    for page in rows.by_page():
        # A page comes sorted by PartitionKey, so one partition's rows are consecutive.
        for partition, group in groupby(page, key=itemgetter("PartitionKey")):
            keys = [row["RowKey"] for row in group]
            raw_delete(table, partition, keys)
            deleted += len(keys)
    return deleted


def sweep(bench: Bench, entries: int, repetitions: int) -> list[Row]:
    """The timer function sweeping ``entries`` expired entries (and keeping the young ones), against
    ``raw_sweep`` of the same rows. Each side seeds a new table, untimed, right before it is timed."""
    seeded: list[Seeded] = []
    timer = registered_functions()["expire_old_entries"]

    def ours(_index: int) -> Action:
        mine = seeded_table(bench, entries)
        seeded.append(mine)
        settings = {TABLE: mine.table.table_name, RETENTION_DAYS_SETTING: str(RETENTION_DAYS)}

        def action() -> None:
            with environment(settings):  # where the timer function reads its table and retention
                timer(TimerRequest())

        return action

    def floor(_index: int) -> Action:
        mine = seeded_table(bench, entries)
        seeded.append(mine)

        def action() -> None:
            if raw_sweep(mine.table, oldest_kept(datetime.now(UTC), RETENTION_DAYS)) != mine.old:
                raise BenchFailure("the raw sweep did not find every expired entry")

        return action

    samples = interleaved(repetitions, ours, floor)
    for side in seeded:
        left = {
            (row["PartitionKey"], row["RowKey"]) for row in side.table.list_entities(select=["PartitionKey", "RowKey"])
        }
        if left != side.young:
            # Expired entries left by ours can also mean it ran out of its budget (Budget.seconds) on a slow Azurite.
            raise BenchFailure(
                f"a sweep left {len(left - side.young)} expired entries and deleted {len(side.young - left)} young ones"
            )
        side.table.delete_table()  # leave Azurite's memory to the steps that follow
    figure = f"retention sweep: {seeded[0].old:,} expired entries"
    return [ratio_row("sweep", figure, median(samples.ours), median(samples.floor), "s", 1.2)]
