"""Input no well-behaved Slack or app sends: names that look like injections, paths, control characters,
emoji or 80 characters, and queue messages the app never writes. The host tests and the reliability harness
try the same ones, so that a case added for one is tried by both."""

from __future__ import annotations

import base64
import json

from interactions.queue_message import QueuedCommand

ODD_NAMES = (
    "x' or PartitionKey ne 'y",
    "') or (PartitionKey ne '",
    "a/b\\c#d?e",
    "%2F %23 %3F ..\\..",
    "bell\x07 del\x7f soh\x01 nul\x00",
    "Tom & Jerry <3 >.< &amp;",
    "<@U0FAKE> <!here> <#C0FAKE>",
    "🧑‍💻 Zoë 👍🏽 🇫🇷",
    "L" * 80,
    "😀" * 80,
)
# The worker's log line for each message it drops (interactions/process.py), without the message itself.
DROPPED = "Dropped a malformed queue message"


def malformed_messages(good: QueuedCommand) -> list[str]:
    """Messages the app never writes, made from a good one: several still carry its user id and text, which
    must reach no log."""
    fields = json.loads(good.to_json())
    return [
        "not json at all",
        "{",
        "[]",
        "null",
        '"a string"',
        json.dumps({"v": 1}),
        json.dumps({**fields, "v": 3}),
        json.dumps({**fields, "kind": "telegram"}),
        json.dumps({**fields, "kind": "press"}),  # a command's fields under another kind
        json.dumps({**fields, "v": "1"}),
        json.dumps({**fields, "user_id": 42}),
        json.dumps({**fields, "text": None}),
        json.dumps({**fields, "received_at": "yesterday"}),
        json.dumps({**fields, "received_at": "2026-01-01T00:00:00"}),  # no time zone
        json.dumps({**fields, "extra": good.user_id}),
        json.dumps({key: value for key, value in fields.items() if key != "owner"}),
        base64.b64encode(good.to_json().encode()).decode(),  # as if the encoding were base64
        "x" * 48_000,
    ]
