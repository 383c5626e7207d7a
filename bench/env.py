"""One benchmark run's world: a fresh in-memory Azurite, the Slack stand-in as the POST sink, the app's
settings in ``os.environ``, the registered functions, and raw SDK clients for the floors."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
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

from bench.functions import registered_functions
from local.azurite import Azurite
from local.slack_standin import SlackStandIn

ROOT = Path(__file__).resolve().parent.parent
SIGNING_SECRET = "bench-signing-secret"  # noqa: S105 - a throwaway secret, for this run's Azurite only
PSEUDONYM_KEY = "bench-pseudonym-key"
TEAM = "T0BENCH"
LOG_TEXT = "<@U0DON|don> + <@U0MAELLE> + Random Guy -"  # the 3-person log command
COULD_NOT_RECORD = "Sorry, I couldn't record that"  # interactions/receive.py, when the queue is out of reach
BATCH = 100  # entities per raw transaction: the service's largest
_LATEST_MS = 10**13 - 1  # the app's RowKey layout (interactions/store.py), restated for the raw floors


class BenchFailure(RuntimeError):
    """The app did not do what a figure assumes it did: the timing would mean nothing."""


def signed_headers(body: bytes) -> dict[str, str]:
    """Headers as Slack sends them: ``v0=HMAC-SHA256(secret, "v0:<timestamp>:<body>")``."""
    stamp = str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest}",
    }


def owner_of(user: str) -> str:
    from interactions.queued_command import owner_key

    return owner_key(PSEUDONYM_KEY.encode(), TEAM, user)


def row_key(at: datetime, command_id: str, index: int) -> str:
    from interactions.store import row_key as app_row_key

    return app_row_key(at, command_id, index)


def window_bound(since: datetime) -> str:
    """Exclusive upper RowKey of the rows at or after ``since`` (the app's layout: inverted milliseconds)."""
    return f"{_LATEST_MS - int(since.timestamp() * 1000) + 1:013d}"


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

    def settings(self) -> dict[str, str]:
        """The app settings, as the Functions host would hold them."""
        return {
            "AzureWebJobsStorage": self.connection_string,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "INTERACTIONS_PSEUDONYM_KEY": PSEUDONYM_KEY,
            "INTERACTIONS_QUEUE": self.queue_name,
            "INTERACTIONS_TABLE": self.table_name,
            "SLACK_BOT_TOKEN": "",  # answers come through response_url: one POST per command
            "SLACK_API_URL": self.slack.api_url,
            "SLACK_RESPONSE_URL_PREFIXES": self.slack.url + "/hooks/",
        }

    # --- what Slack sends -------------------------------------------------------------------------------

    def form(self, user: str, text: str) -> bytes:
        return urllib.parse.urlencode(
            {
                "token": "deprecated-verification-token",
                "team_id": TEAM,
                "team_domain": "bench",
                "channel_id": "C0BENCH",
                "channel_name": "general",
                "user_id": user,
                "user_name": f"name-of-{user.lower()}",
                "command": "/interactions",
                "text": text,
                "api_app_id": "A0BENCH",
                "response_url": self.slack.response_url(user),
                "trigger_id": self.slack.trigger_id(user),
            }
        ).encode()

    def http_request(self, user: str, text: str) -> func.HttpRequest:
        body = self.form(user, text)
        return func.HttpRequest(
            method="POST", url="http://localhost:7071/api/slack/commands", headers=signed_headers(body), body=body
        )

    # --- the registered functions, as the host invokes them ------------------------------------------------

    def ack(self, request: func.HttpRequest) -> bool:
        """Invoke the HTTP function: True when it queued the command (an empty 200), False when it told the
        member to try again because the queue did not answer in time (its own 1 s timeout, one retry)."""
        response = registered_functions()["slack_commands"](request)
        body = response.get_body()
        if response.status_code == 200 and not body:
            return True
        if response.status_code == 200 and COULD_NOT_RECORD.encode() in body:
            return False
        raise BenchFailure(f"the HTTP function answered {response.status_code}: {body[:200]!r}")

    def process(self, message: bytes) -> None:
        registered_functions()["process_command"](func.QueueMessage(id=uuid.uuid4().hex, body=message))

    def queued(self, user: str, text: str) -> bytes:
        """The message the HTTP function queues for ``/interactions text`` typed by ``user``, taken off the
        queue (which must hold nothing else), as the host would hand it to the queue function."""
        self.queue.clear_messages()
        for _attempt in range(3):  # Azurite stalls for a second now and then: untimed, so try again
            if self.ack(self.http_request(user, text)):
                break
        else:
            raise BenchFailure("the HTTP function could not queue a command three times in a row")
        (message,) = self.queue.receive_messages(max_messages=1, visibility_timeout=60)
        self.queue.delete_message(message)
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
            parameters={"owner": owner, "bound": window_bound(since)},
            select=select,
            results_per_page=1000,
        )
        return sum(1 for _ in rows)

    def raw_clear(self, owner: str) -> int:
        """A paged query of the keys, each page deleted in 100-entity transactions as it arrives."""
        deleted = 0
        rows = self.table.query_entities(
            "PartitionKey eq @owner", parameters={"owner": owner}, select=["RowKey"], results_per_page=1000
        )
        for page in rows.by_page():
            keys = [row["RowKey"] for row in page]
            for start in range(0, len(keys), BATCH):
                self.table.submit_transaction(
                    [("delete", {"PartitionKey": owner, "RowKey": key}) for key in keys[start : start + BATCH]]
                )
            deleted += len(keys)
        return deleted

    def count(self, owner: str) -> int:
        rows = self.table.query_entities("PartitionKey eq @owner", parameters={"owner": owner}, select=["RowKey"])
        return sum(1 for _ in rows)

    def seed(self, owner: str, count: int, days: int, now: datetime | None = None) -> None:
        """``count`` entries for ``owner`` spread evenly over the ``days`` before ``now``, shaped as the app
        stores them: 40 people, a fifth of them Slack mentions, two thirds positive. Inserted with ``create``
        (Azurite's upsert slows down as a partition grows), several transactions at a time."""
        now = now or datetime.now(UTC)
        step = timedelta(days=days) / (count + 1)

        def entity(index: int) -> dict[str, Any]:
            at = now - step * (index + 1)
            person = index % 40
            return {
                "PartitionKey": owner,
                "RowKey": row_key(at, f"seed{index // BATCH:06d}", index % BATCH),
                "Person": f"U0PERSON{person:02d}" if person % 5 == 0 else f"Person Number {person}",
                "Mention": person % 5 == 0,
                "Rating": 1 if index % 3 else -1,
                "At": at,
            }

        def insert(start: int) -> None:
            stop = min(start + BATCH, count)
            self.table.submit_transaction([("create", entity(index)) for index in range(start, stop)])

        with ThreadPoolExecutor(4) as pool:
            list(pool.map(insert, range(0, count, BATCH)))


@contextmanager
def bench_environment() -> Iterator[Bench]:
    """Start Azurite and the stand-in, put the app's settings in ``os.environ``; undo it all at the end."""
    azurite = Azurite.on_free_ports()
    slack = SlackStandIn().start()
    saved = dict(os.environ)
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
        os.environ.update(bench.settings())
        bench.queue.create_queue()
        bench.table.create_table()
        yield bench
    finally:
        os.environ.clear()
        os.environ.update(saved)
        slack.stop()
        azurite.stop()
