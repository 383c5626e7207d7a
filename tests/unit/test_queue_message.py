"""The queue message between the HTTP function and the worker: it survives the trip, and nothing else gets in."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from interactions.pseudonym import owner_key
from interactions.queue_message import (
    FORMAT_VERSION,
    MalformedMessage,
    QueuedCommand,
    QueuedHomeOpened,
    QueuedPress,
    read,
)

COMMAND = QueuedCommand(
    command_id="0123456789abcdef0123456789abcdef",
    user_id="U0123ABCD",
    owner="f" * 64,
    text="<@U2|Maelle> + Random Guy -",
    response_url="https://hooks.slack.com/commands/T1/2/abc",
    received_at=datetime(2024, 3, 15, 12, 0, 0, 123456, tzinfo=UTC),
)


@pytest.mark.parametrize(
    "command",
    [
        COMMAND,
        replace(COMMAND, view_id="V0123ABC"),
        replace(COMMAND, text=""),
        replace(COMMAND, text='李雷 + Mae\u0308lle − 🎉 + A &amp; B - "quoted" \\ \n\t+'),
    ],
    ids=["plain", "with view_id", "empty text", "unicode"],
)
def test_round_trip(command: QueuedCommand) -> None:
    assert QueuedCommand.from_json(command.to_json()) == command
    assert QueuedCommand.from_json(command.to_json().encode("utf-8")) == command


def test_unicode_travels_as_is() -> None:
    command = replace(COMMAND, text="李雷 +")
    assert "李雷 +" in command.to_json()


def test_received_at_travels_as_utc() -> None:
    paris = timezone(timedelta(hours=1))
    command = replace(COMMAND, received_at=datetime(2024, 3, 15, 13, 0, tzinfo=paris))
    back = QueuedCommand.from_json(command.to_json())
    assert back.received_at == datetime(2024, 3, 15, 12, 0, tzinfo=UTC)
    assert back.received_at.utcoffset() == timedelta(0)


def test_the_message_holds_only_what_the_worker_needs() -> None:
    fields = json.loads(replace(COMMAND, view_id="V1").to_json())
    assert set(fields) == {
        *("v", "kind", "command_id", "user_id", "owner", "text", "response_url", "received_at", "view_id")
    }
    assert fields["v"] == FORMAT_VERSION
    assert fields["kind"] == "command"


def test_a_command_queued_by_the_previous_version_is_still_read() -> None:
    # Exactly what the previous version wrote: version 1, no kind.
    raw = (
        '{"v":1,"command_id":"0123456789abcdef0123456789abcdef","user_id":"U0123ABCD","owner":"' + "f" * 64 + '",'
        '"text":"<@U2|Maelle> + Random Guy -","response_url":"https://hooks.slack.com/commands/T1/2/abc",'
        '"received_at":"2024-03-15T12:00:00.123456+00:00","view_id":null}'
    )
    assert read(raw) == COMMAND


PRESS = QueuedPress(
    press_id="p" * 32,
    user_id="U0123ABCD",
    owner="f" * 64,
    received_at=datetime(2024, 3, 15, 12, 0, tzinfo=UTC),
    action_id="undo",
    value='{"c":"abc","a":1,"n":1,"u":"U0123ABCD"}',
    surface="message",
    response_url="https://hooks.slack.com/actions/T1/2/abc",
)
HOME = QueuedHomeOpened(
    event_id="Ev0123", user_id="U0123ABCD", owner="f" * 64, received_at=datetime(2024, 3, 15, 12, 0, tzinfo=UTC)
)


@pytest.mark.parametrize(
    "message",
    [PRESS, replace(PRESS, surface="modal", response_url=None, view_id="V1", view_hash="1.abc"), HOME],
    ids=["press in a message", "press in a modal", "home opened"],
)
def test_every_kind_says_what_it_is_and_round_trips(message: QueuedPress | QueuedHomeOpened) -> None:
    raw = message.to_json()
    assert json.loads(raw)["kind"] == message.KIND
    assert read(raw) == message
    with pytest.raises(MalformedMessage):
        QueuedCommand.from_json(raw)  # a press is never carried out as a command


def test_a_press_on_an_unknown_surface_is_refused() -> None:
    with pytest.raises(MalformedMessage):
        read(json.dumps({**json.loads(PRESS.to_json()), "surface": "channel"}))


def good_fields() -> dict[str, Any]:
    fields: dict[str, Any] = json.loads(COMMAND.to_json())
    return fields


def without(name: str) -> str:
    fields = good_fields()
    del fields[name]
    return json.dumps(fields)


def with_field(name: str, value: Any) -> str:
    return json.dumps({**good_fields(), name: value})


MALFORMED = {
    "not JSON": "this is not json",
    "truncated JSON": COMMAND.to_json()[:-1],
    "empty": "",
    "not UTF-8": b"\xff\xfe\x00garbage",
    "a JSON list": json.dumps([good_fields()]),
    "a JSON string": json.dumps("hello"),
    "JSON null": "null",
    "no version": without("v"),
    "unknown version": with_field("v", 3),
    "unknown kind": with_field("kind", "telegram"),
    "kind missing": without("kind"),
    "version as a string": with_field("v", "1"),
    "missing command_id": without("command_id"),
    "missing user_id": without("user_id"),
    "missing owner": without("owner"),
    "missing text": without("text"),
    "missing response_url": without("response_url"),
    "missing received_at": without("received_at"),
    "text not a string": with_field("text", 42),
    "user_id null": with_field("user_id", None),
    "owner a list": with_field("owner", ["x"]),
    "view_id a number": with_field("view_id", 7),
    "received_at a number": with_field("received_at", 1710504000),
    "naive received_at": with_field("received_at", "2024-03-15T12:00:00"),
    "bad received_at": with_field("received_at", "yesterday"),
    "impossible received_at": with_field("received_at", "2024-02-30T12:00:00+00:00"),
    "extra unknown field": with_field("channel_name", "general"),
}


@pytest.mark.parametrize("raw", list(MALFORMED.values()), ids=list(MALFORMED))
def test_malformed_messages_are_refused(raw: str | bytes) -> None:
    with pytest.raises(MalformedMessage):
        QueuedCommand.from_json(raw)


def test_a_null_view_id_is_no_view() -> None:
    assert QueuedCommand.from_json(with_field("view_id", None)).view_id is None


# --- owner_key -----------------------------------------------------------------------------------------

KEY = b"a secret pseudonym key of 32 by"


def test_owner_key_is_the_same_every_time() -> None:
    assert owner_key(KEY, "T0001", "U0123ABCD") == owner_key(KEY, "T0001", "U0123ABCD")


def test_owner_key_differs_per_team_user_and_key() -> None:
    keys = {
        owner_key(KEY, "T0001", "U0123ABCD"),
        owner_key(KEY, "T0002", "U0123ABCD"),
        owner_key(KEY, "T0001", "U0123ABCE"),
        owner_key(b"another key", "T0001", "U0123ABCD"),
    }
    assert len(keys) == 4


def test_owner_key_reveals_neither_id() -> None:
    key = owner_key(KEY, "T0001", "U0123ABCD")
    assert "U0123ABCD" not in key
    assert "T0001" not in key
    assert len(key) == 64
    assert all(c in "0123456789abcdef" for c in key)  # safe as a Table Storage PartitionKey
