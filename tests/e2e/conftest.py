"""End to end without the Functions host: signed form posts go into the HTTP function registered in
function_app.py, its message lands on the Azurite queue, and the queue function registered there is
invoked on it, as the host would. What Slack receives is read from the stand-in."""

from __future__ import annotations

import json
import os
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import azure.functions as func
import pytest
from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.data.tables import TableClient
from azure.storage.queue import QueueClient

from interactions import settings as setting
from interactions.pseudonym import owner_key
from interactions.queue_message import QueuedCommand
from interactions.storage_account import CONNECTION
from interactions.store import PERSON_ROWS, row_key
from local.azurite import Azurite
from local.slack_standin import Shown, SlackStandIn
from testkit import slack_requests
from testkit.app_settings import app_settings
from testkit.functions import registered_functions
from tests.conftest import PSEUDONYM_KEY, SIGNING_SECRET

TEAM = "T0TEAM"


def signed_headers(body: bytes, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    return slack_requests.signed_headers(secret, body, timestamp)


@dataclass
class App:
    """The two functions, wired to one Azurite queue and table and to the Slack stand-in."""

    slack: SlackStandIn
    queue: QueueClient
    connection_string: str
    table: str

    def form(self, user: str, text: str, command: str = "/interactions", **extra: str) -> dict[str, str]:
        """The form Slack posts for ``text`` as Slack sends it (mentions as ``<@U123>``)."""
        return {**slack_requests.command_form(user, TEAM, command, text, self.slack.url, as_typed=False), **extra}

    def post(self, body: bytes, headers: dict[str, str] | None = None) -> func.HttpResponse:
        request = func.HttpRequest(
            method="POST",
            url="http://localhost:7071/api/slack/commands",
            headers=signed_headers(body) if headers is None else headers,
            body=body,
        )
        response: func.HttpResponse = registered_functions()["slack_commands"](request)
        return response

    def call(self, function: str, path: str, body: bytes, headers: dict[str, str] | None = None) -> func.HttpResponse:
        """POST ``body``, signed unless ``headers`` are given, to the HTTP function ``function`` at ``path``."""
        request = func.HttpRequest(
            method="POST",
            url=f"http://localhost:7071/api/{path}",
            headers=signed_headers(body) if headers is None else headers,
            body=body,
        )
        response: func.HttpResponse = registered_functions()[function](request)
        return response

    def press(self, user: str, shown: Shown, label: str) -> Shown:
        """``user`` presses the control labelled ``label`` in ``shown`` (a menu's option: "Span: 90 days");
        what they see there once the worker has answered."""
        (control,) = [c for c in shown.controls() if c.label == label]
        surface = shown.kind
        payload = slack_requests.block_actions_payload(
            user=user,
            team=TEAM,
            block_id=control.block_id,
            element=control.element,
            option=control.option,
            surface=surface,
            view=shown.as_view() if surface != "message" else None,
            response_url=self.slack.action_response_url(user, shown.index) if surface == "message" else None,
        )
        version = self.slack.version(user)
        response = self.call("slack_interactions", "slack/interactions", slack_requests.interaction_body(payload))
        assert response.status_code == 200, response.get_body()
        assert self.run_worker() == 1
        self.slack.wait_for_change(user, version)
        return self.now_showing(user, shown)

    def now_showing(self, user: str, shown: Shown) -> Shown:
        """What stands now where ``shown`` was: the same message, modal or Home tab."""
        if shown.kind == "message":
            return self.slack.shown(user)[shown.index]
        current = self.slack.home(user) if shown.kind == "home" else self.slack.modal(str(shown.view_id))
        assert current is not None
        return current

    def seed(self, user: str, count: int, newest: datetime, people: int | None = None) -> None:
        """``count`` entries of ``user``'s, one a minute back from ``newest``, of ``people`` people ("Person
        <n>", by default each entry its own), written straight to the table in transactions."""
        table = TableClient.from_connection_string(self.connection_string, self.table)
        try:
            table.create_table()
        except ResourceExistsError:
            pass
        owner = owner_key(PSEUDONYM_KEY.encode(), TEAM, user)
        for first in range(0, count, 100):
            batch: list[Any] = []
            for index in range(first, min(first + 100, count)):
                at = newest - timedelta(minutes=index)
                name = f"Person {index % (people or count)}"
                entity = {"PartitionKey": owner, "RowKey": row_key(at, f"c{index}", 0), "Person": name}
                batch.append(("upsert", {**entity, "Mention": False, "Rating": 1 if index % 3 else -1, "At": at}))
            table.submit_transaction(batch)

    def send(self, user: str, text: str, **extra: str) -> func.HttpResponse:
        return self.post(urllib.parse.urlencode(self.form(user, text, **extra)).encode())

    def run_worker(self) -> int:
        """Invoke the queue function on every message waiting, as the host does; returns how many."""
        handled = 0
        worker = registered_functions()["process_queued_message"]
        while batch := list(self.queue.receive_messages(max_messages=32, visibility_timeout=30)):
            for message in batch:
                worker(func.QueueMessage(id=message.id, body=message.content.encode()))
                self.queue.delete_message(message)
                handled += 1
        return handled

    def command(self, user: str, text: str) -> Shown:
        """Type ``/interactions text`` as ``user``; what Slack shows them in answer: the acknowledgement when
        it says something (help, a mistake), else what the worker answers."""
        before = len(self.slack.shown(user))
        response = self.send(user, text)
        assert response.status_code == 200, response.get_body()
        if response.get_body():
            assert self.waiting() == []  # answered at once: nothing for the worker
            return Shown("message", json.loads(response.get_body()))
        assert self.run_worker() == 1
        shown = self.slack.wait_for(user, before + 1)
        assert len(shown) == before + 1, shown
        return shown[-1]

    def queued_message(self, user: str, text: str, response_url: str) -> str:
        """A command as the HTTP function queues it, for putting on the queue directly."""
        return QueuedCommand(
            command_id=uuid.uuid4().hex,
            user_id=user,
            owner=owner_key(PSEUDONYM_KEY.encode(), TEAM, user),
            text=text,
            response_url=response_url,
            received_at=datetime.now(UTC),
        ).to_json()

    def stored(self) -> list[dict[str, Any]]:
        """Every entity in the app's table (none when the table was never created)."""
        table = TableClient.from_connection_string(self.connection_string, self.table)
        try:
            return [dict(entity) for entity in table.list_entities()]
        except ResourceNotFoundError:
            return []

    def entries(self) -> list[dict[str, Any]]:
        """The member-visible entries in the app's table: the rows that name a person, less the copy of each
        kept under that person for their card."""
        return [e for e in self.stored() if "Person" in e and not e["RowKey"].startswith(PERSON_ROWS)]

    def waiting(self) -> list[str]:
        return [m.content for m in self.queue.peek_messages(max_messages=32)]


@pytest.fixture
def app_env(azurite: Azurite, slack: SlackStandIn, unique_name: str) -> Iterator[dict[str, str]]:
    env = app_settings(
        azurite.connection_string,
        slack,
        signing_secret=SIGNING_SECRET,
        pseudonym_key=PSEUDONYM_KEY,
        queue=unique_name,
        table=unique_name,
    )
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    slack.reset()
    yield env
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture
def app(app_env: dict[str, str], slack: SlackStandIn) -> App:
    queue = QueueClient.from_connection_string(app_env[CONNECTION], app_env[setting.QUEUE])
    queue.create_queue()
    return App(slack=slack, queue=queue, connection_string=app_env[CONNECTION], table=app_env[setting.TABLE])


@pytest.fixture
def modal_app(app: App, app_env: dict[str, str]) -> App:
    os.environ[setting.BOT_TOKEN] = "xoxb-test-token"
    return app


text_of = Shown.text  # everything the user can read in a message or modal
