"""One benchmark run's world: a fresh in-memory Azurite, the Slack stand-in as the POST sink, the app's
settings in ``os.environ``, the registered functions, and raw SDK clients for the floors."""

from __future__ import annotations

import json
import os
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import azure.functions as func
from azure.data.tables import TableClient
from azure.storage.queue import QueueClient

from interactions.pseudonym import owner_key
from interactions.reports import percent
from interactions.slack import texts

# The app's own window bound, so that the floor reads exactly the rows a view reads.
from interactions.store import PAGE_SIZE, TRANSACTION_SIZE, newer_than, row_key
from local.azurite import Azurite
from local.slack_standin import SlackStandIn
from testkit.app_settings import app_settings
from testkit.functions import registered_functions
from testkit.slack_requests import command_form, signed_headers

ROOT = Path(__file__).resolve().parent.parent
SIGNING_SECRET = "bench-signing-secret"  # noqa: S105 - a throwaway secret, for this run's Azurite only
PSEUDONYM_KEY = "bench-pseudonym-key"
TEAM = "T0BENCH"
COMMANDS_PATH = "/api/slack/commands"  # the HTTP function's route under the host's /api prefix
LOG_TEXT = "<@U0DON|don> + <@U0MAELLE> + Random Guy -"  # as Slack sends it: two mentions and a plain name
LOG_ANSWER = texts.logged(percent(2, 3))  # its answer to a member with no earlier entries
# What the HTTP function answers when the queue did not take the command in time: try again, or check first.
NOT_QUEUED = (texts.COULD_NOT_RECORD, texts.MAYBE_RECORDED)


class BenchFailure(RuntimeError):
    """The app did not do what a figure assumes it did: the timing would mean nothing."""


def owner_of(user: str) -> str:
    return owner_key(PSEUDONYM_KEY.encode(), TEAM, user)


def seeded_rating(index: int) -> int:
    """The rating of ``Bench.seed``'s entry number ``index``: two in three positive."""
    return 1 if index % 3 else -1


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:12].upper()}"


@dataclass
class Bench:
    azurite: Azurite
    slack: SlackStandIn
    queue_name: str
    table_name: str
    queue: QueueClient  # raw clients: the floors, and the bench's own setup and checks
    table: TableClient

    @property
    def connection_string(self) -> str:
        return self.azurite.connection_string

    def settings(self, storage: str | None = None) -> dict[str, str]:
        """The app settings, as the Functions host would hold them (``storage``: a connection string, when
        not this Azurite's). No bot token: every answer comes through the response_url, one POST per command,
        which the floors can match."""
        return app_settings(
            storage or self.connection_string,
            self.slack,
            signing_secret=SIGNING_SECRET,
            pseudonym_key=PSEUDONYM_KEY,
            queue=self.queue_name,
            table=self.table_name,
        )

    # --- what Slack sends -------------------------------------------------------------------------------

    def form(self, user: str, text: str, ref: str | None = None) -> bytes:
        """The form of ``/interactions text`` (``text`` as Slack sends it) typed by ``user``; ``ref``, when
        given, ends its response_url, so that the stand-in's calls tell which command an answer is for."""
        fields = command_form(user, TEAM, "/interactions", text, self.slack.url, as_typed=False)
        if ref is not None:
            fields["response_url"] = f"{self.slack.url}/hooks/{user}/{ref}"
        return urllib.parse.urlencode(fields).encode()

    def signed(self, body: bytes) -> dict[str, str]:
        return signed_headers(SIGNING_SECRET, body)

    def http_request(self, user: str, text: str) -> func.HttpRequest:
        body = self.form(user, text)
        return func.HttpRequest(
            method="POST", url=f"http://localhost:7071{COMMANDS_PATH}", headers=self.signed(body), body=body
        )

    # --- the registered functions, as the host invokes them ------------------------------------------------

    def ack(self, request: func.HttpRequest) -> bool:
        """Invoke the HTTP function: True when it queued the command (an empty 200), False when the queue did
        not answer in time (its own 1 s timeout, one retry) and it told the member to try again or to check."""
        response = registered_functions()["slack_commands"](request)
        body = response.get_body()
        if response.status_code == 200 and not body:
            return True
        if response.status_code == 200 and any(text.encode() in body for text in NOT_QUEUED):
            return False
        raise BenchFailure(f"the HTTP function answered {response.status_code}: {body[:200]!r}")

    def process(self, message: bytes) -> None:
        registered_functions()["process_queued_message"](func.QueueMessage(id=uuid.uuid4().hex, body=message))

    def queued(self, user: str, text: str, queue: QueueClient | None = None) -> bytes:
        """The message the HTTP function queues for ``/interactions text`` typed by ``user``, taken off the
        queue (which must hold nothing else), as the host would hand it to the queue function. ``queue``:
        the one the settings now in ``os.environ`` send to, when not the bench's own."""
        queue = queue or self.queue
        queue.clear_messages()
        for _attempt in range(3):  # Azurite stalls for a second now and then: untimed, so try again
            if self.ack(self.http_request(user, text)):
                break
        else:
            raise BenchFailure("the HTTP function could not queue a command three times in a row")
        (message,) = queue.receive_messages(max_messages=1, visibility_timeout=60)
        queue.delete_message(message)
        return str(message.content).encode()

    # --- raw calls: the floors -------------------------------------------------------------------------

    def raw_post(self, user: str, text: str) -> None:
        body = json.dumps({"text": text, "response_type": "ephemeral"}).encode()
        request = urllib.request.Request(
            self.slack.response_url(user), data=body, headers={"Content-Type": "application/json;charset=utf-8"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    def raw_window(self, owner: str, since: datetime, select: list[str]) -> int:
        rows = self.table.query_entities(
            "PartitionKey eq @owner and RowKey lt @bound",
            parameters={"owner": owner, "bound": newer_than(since)},
            select=select,
            results_per_page=PAGE_SIZE,
        )
        return sum(1 for _ in rows)

    def raw_clear(self, owner: str) -> int:
        """A paged query of the keys, each page deleted in 100-entity transactions as it arrives."""
        deleted = 0
        rows = self.table.query_entities(
            "PartitionKey eq @owner", parameters={"owner": owner}, select=["RowKey"], results_per_page=PAGE_SIZE
        )
        for page in rows.by_page():
            keys = [row["RowKey"] for row in page]
            raw_delete(self.table, owner, keys)
            deleted += len(keys)
        return deleted

    def count(self, owner: str) -> int:
        """The owner's entries: not the rows kept for each person, whose RowKeys sort after ":"."""
        query = "PartitionKey eq @owner and RowKey lt ':'"
        rows = self.table.query_entities(query, parameters={"owner": owner}, select=["RowKey"])
        return sum(1 for _ in rows)

    def seed(self, owner: str, count: int, days: int, now: datetime | None = None) -> None:
        """``count`` entries for ``owner`` spread evenly over the ``days`` before ``now``, shaped as the app
        stores them (``seeded_entity``)."""
        now = now or datetime.now(UTC)
        step = timedelta(days=days) / (count + 1)
        entities = [seeded_entity(owner, index, now - step * (index + 1)) for index in range(count)]
        create_all(
            self.table, [entities[start : start + TRANSACTION_SIZE] for start in range(0, count, TRANSACTION_SIZE)]
        )


def seeded_entity(owner: str, index: int, at: datetime) -> dict[str, Any]:
    """A member's seeded entry number ``index``, logged ``at``, shaped as the app stores it: 40 people, a
    fifth of them Slack mentions, two thirds positive."""
    person = index % 40
    return {
        "PartitionKey": owner,
        "RowKey": row_key(at, f"seed{index // TRANSACTION_SIZE:06d}", index % TRANSACTION_SIZE),
        "Person": f"U0PERSON{person:02d}" if person % 5 == 0 else f"Person Number {person}",
        "Mention": person % 5 == 0,
        "Rating": seeded_rating(index),
        "At": at,
    }


def create_all(table: TableClient, batches: list[list[dict[str, Any]]]) -> None:
    """Insert each batch (one partition's, at most 100 entities) in one transaction, several at a time.
    With ``create``: Azurite's upsert slows down as a partition grows."""

    def insert(batch: list[dict[str, Any]]) -> None:
        table.submit_transaction([("create", entity) for entity in batch])

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(insert, batches))


def raw_delete(table: TableClient, partition: str, keys: list[str]) -> None:
    """Delete ``keys`` of ``partition`` in raw transactions of up to 100 entities: a floor's deletes."""
    for start in range(0, len(keys), TRANSACTION_SIZE):
        table.submit_transaction(
            [("delete", {"PartitionKey": partition, "RowKey": key}) for key in keys[start : start + TRANSACTION_SIZE]]
        )


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """``os.environ`` with ``values`` in it, as it was again afterwards: the app reads its settings there."""
    saved = dict(os.environ)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextmanager
def bench_environment() -> Iterator[Bench]:
    """Start Azurite and the stand-in, put the app's settings in ``os.environ``; undo it all at the end."""
    azurite = Azurite.on_free_ports()
    slack = SlackStandIn().start()
    try:
        name = unique("bench").lower()
        bench = Bench(
            azurite=azurite,
            slack=slack,
            queue_name=name,
            table_name=name,
            queue=QueueClient.from_connection_string(azurite.connection_string, name),
            table=TableClient.from_connection_string(azurite.connection_string, name),
        )
        with environment(bench.settings()):
            bench.queue.create_queue()
            bench.table.create_table()
            yield bench
    finally:
        slack.stop()
        azurite.stop()
