"""Bad input through the local host: names that look like injections, paths, control characters, emoji or
80 characters are stored and read back as typed; messages the app never writes, put straight on its queue, are
dropped with a log line while the worker keeps serving."""

from __future__ import annotations

import json
import urllib.parse
from contextlib import suppress
from datetime import UTC, datetime

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import TableClient
from azure.storage.queue import QueueClient

from interactions import settings as setting
from interactions.pseudonym import owner_key
from interactions.queue_message import QueuedCommand
from interactions.storage_account import CONNECTION
from local.slack_standin import Shown
from testkit.odd_input import DROPPED, ODD_NAMES, malformed_messages
from testkit.slack_requests import command_form, signed_headers
from tests.conftest import PSEUDONYM_KEY, SIGNING_SECRET
from tests.host.conftest import TEAM, App, new_user, text_of

pytestmark = pytest.mark.e2e


def as_slack_sends(typed: str) -> str:
    """Slack escapes & < > in what the user typed; nothing else (``@U123`` typed here is not a mention)."""
    return typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def type_literally(app: App, user: str, typed: str) -> Shown:
    """Send ``typed`` as the user typed it and return what they were shown in answer."""
    form = {**command_form(user, TEAM, "/interactions", "", app.slack.url), "text": as_slack_sends(typed)}
    body = urllib.parse.urlencode(form).encode()
    before = len(app.slack.shown(user))
    reply = app.post(body, signed_headers(SIGNING_SECRET, body))
    assert reply.status == 200
    if reply.body:  # answered in the acknowledgement: a mistake
        return Shown("message", json.loads(reply.body))
    shown = app.slack.wait_for(user, before + 1, timeout=15)
    assert len(shown) == before + 1, app.host.log[-3000:]
    return shown[-1]


def stored_people(app: App, user: str) -> list[str]:
    table = TableClient.from_connection_string(app.host.env[CONNECTION], app.host.env[setting.TABLE])
    owner = owner_key(PSEUDONYM_KEY.encode(), TEAM, user)
    entries = table.query_entities("PartitionKey eq @owner and RowKey lt ':'", parameters={"owner": owner})
    return [str(e["Person"]) for e in entries]


@pytest.mark.parametrize("name", ODD_NAMES, ids=lambda name: repr(name)[:24])
def test_odd_names_are_stored_and_shown_literally(app: App, name: str) -> None:
    me = new_user()
    assert type_literally(app, me, f"{name} -").payload["text"].startswith("Got it! You're 0%")

    assert stored_people(app, me) == [name]
    listing = text_of(type_literally(app, me, ""))  # names are rich text: what it holds is what Slack shows
    assert f" · {name} −" in listing
    by_person = text_of(type_literally(app, me, "person"))
    assert f"{name} · 1 (0 +, 1 −) · 0% positive" in by_person


def test_a_name_of_81_characters_is_refused_and_nothing_is_stored(app: App) -> None:
    me = new_user()
    answer = type_literally(app, me, "L" * 81 + " +")

    assert "Names are at most 80 characters" in answer.payload["text"]
    assert stored_people(app, me) == []


def test_malformed_queue_messages_are_dropped_and_the_worker_keeps_serving(app: App) -> None:
    me, sender = new_user(), new_user()
    env = app.host.env
    queue = QueueClient.from_connection_string(env[CONNECTION], env[setting.QUEUE])
    good = QueuedCommand(
        "0" * 32, sender, "0" * 64, "Zebulon Quartermaine +", app.slack.response_url(sender), datetime.now(UTC)
    )
    messages = malformed_messages(good)
    before = app.host.log.count(DROPPED)
    for message in messages:
        queue.send_message(message)  # raw, as messageEncoding "none" has the app write its own

    log = app.host.wait_for_log(DROPPED, before + len(messages), timeout=20)
    assert log.count(DROPPED) - before == len(messages)
    assert app.command(me, "Random Guy +").payload["text"].startswith("Got it!")  # the same worker, still serving
    assert app.host.process is not None and app.host.process.poll() is None
    assert app.slack.shown(sender) == []
    poison = QueueClient.from_connection_string(env[CONNECTION], env[setting.QUEUE] + "-poison")
    with suppress(ResourceNotFoundError):  # no poison queue at all is as good
        assert not poison.get_queue_properties().approximate_message_count
    log = app.host.log
    for secret in (sender, "Zebulon", "Unexpected error"):
        assert secret not in log
