"""`/interactions export` through the functions registered in function_app.py: a member's 20,000 entries
arrive as one CSV file in their direct conversation with the app, and nothing of it stays in storage.

Writing 20,000 entries into one partition takes Azurite a minute or more (each write scans the partition),
so the big export is the one test here that needs them."""

from __future__ import annotations

import csv
import io
import tracemalloc
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from azure.data.tables import TableClient, TableServiceClient
from azure.storage.queue import QueueServiceClient

from interactions.pseudonym import owner_key
from interactions.slack import texts
from interactions.storage_account import CONNECTION
from interactions.store import row_key
from tests.conftest import PSEUDONYM_KEY
from tests.e2e.conftest import TEAM, App

pytestmark = pytest.mark.e2e

ME = "U0ME"
OTHER = "U0OTHER"
FULL_SIZE = 20_000  # what a member may have; writing it into Azurite takes minutes, so it runs as `-m slow`
# The worker's allocations during the export, at most: a page of entities and the file's bytes for the
# upload (about 6 MiB in all), not every entry (20,000 entries held as Python objects add 6 MiB more).
MEMORY_LIMIT_BYTES = 8 * 2**20


def write_entries(table: TableClient, user: str, count: int) -> Counter[tuple[str, str, str, str, str]]:
    """``count`` entries of ``user``, a transaction of 100 at a time; the CSV rows they should make."""
    owner = owner_key(PSEUDONYM_KEY.encode(), TEAM, user)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    expected: Counter[tuple[str, str, str, str, str]] = Counter()
    for first in range(0, count, 100):
        batch = []
        for index in range(first, min(first + 100, count)):
            at = start - timedelta(minutes=index)
            mention = index % 3 == 0
            person = f"U0P{index % 50}" if mention else ["Ann, Bob", '=SUM(A1) "x"', "Zoë\nline", "Guy"][index % 4]
            rating = 1 if index % 2 else -1
            entity = {"PartitionKey": owner, "RowKey": row_key(at, f"c{index}", 0), "Person": person}
            batch.append(("upsert", {**entity, "Mention": mention, "Rating": rating, "At": at}))
            name = "" if mention else ("'" + person if person.startswith("=") else person)
            sign = "+" if rating > 0 else "-"
            expected[(f"{at:%Y-%m-%dT%H:%M:%SZ}", person if mention else "", name, sign, "")] += 1
        table.submit_transaction(batch)
    return expected


@pytest.mark.parametrize("count", [2_000, pytest.param(FULL_SIZE, marks=pytest.mark.slow)])
def test_an_export_arrives_in_the_members_dm_with_exactly_their_entries_and_leaves_nothing_behind(
    modal_app: App, app_env: dict[str, str], count: int
) -> None:
    connection = app_env[CONNECTION]
    table = TableClient.from_connection_string(connection, modal_app.table)
    table.create_table()
    expected = write_entries(table, ME, count)
    write_entries(table, OTHER, 10)
    stored_before = sorted((e["PartitionKey"], e["RowKey"]) for e in modal_app.stored())
    tables_before = sorted(t.name for t in TableServiceClient.from_connection_string(connection).list_tables())
    queues_before = sorted(q.name for q in QueueServiceClient.from_connection_string(connection).list_queues())

    assert modal_app.send(ME, "export").get_body() == b""  # queued, answered by the worker
    tracemalloc.start()
    try:
        assert modal_app.run_worker() == 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert modal_app.slack.wait_for(ME, 1)[-1].payload["text"] == texts.exported(count)
    (shared,) = modal_app.slack.files(ME)
    assert shared.channel == f"D{ME}"
    assert shared.filename.startswith("interactions-") and shared.filename.endswith(".csv")
    assert shared.content.startswith(b"\xef\xbb\xbf")
    header, *rows = csv.reader(io.StringIO(shared.content.decode("utf-8-sig"), newline=""))
    assert header == ["date", "slack_user_id", "name", "rating", "note"]
    assert len(rows) == count
    assert Counter(tuple(row) for row in rows) == expected
    assert modal_app.slack.files(OTHER) == []
    if count == FULL_SIZE:  # only at full size would holding every entry show above a page and the file
        assert peak < MEMORY_LIMIT_BYTES, f"{peak / 2**20:.1f} MiB"

    assert sorted((e["PartitionKey"], e["RowKey"]) for e in modal_app.stored()) == stored_before
    assert sorted(t.name for t in TableServiceClient.from_connection_string(connection).list_tables()) == tables_before
    assert sorted(q.name for q in QueueServiceClient.from_connection_string(connection).list_queues()) == queues_before
    assert modal_app.waiting() == []


def test_an_export_without_a_bot_token_is_answered_at_once(app: App) -> None:
    shown = app.command(ME, "export")
    assert shown.payload["text"] == texts.EXPORT_NEEDS_BOT
    assert app.slack.files(ME) == []


def test_an_export_of_nothing_sends_no_file(modal_app: App) -> None:
    assert modal_app.command(ME, "export").payload["text"] == texts.NOTHING_TO_EXPORT
    assert modal_app.slack.files(ME) == []
