"""The message that carries one slash command from the HTTP function to the queue worker.

It holds only what the worker needs: never channel ids or names, team domain, user name, enterprise
fields or the verification token.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

FORMAT_VERSION = 1


class MalformedMessage(ValueError):
    """A queue message that is not a command this app wrote; retrying it can never succeed."""


@dataclass(frozen=True)
class QueuedCommand:
    command_id: str
    user_id: str
    owner: str  # the caller's pseudonym (interactions.pseudonym): the PartitionKey of their entries
    text: str
    response_url: str
    received_at: datetime  # when Slack's request reached us; the logged entries' time
    view_id: str | None = None

    def to_json(self) -> str:
        fields = {"v": FORMAT_VERSION, **vars(self)}  # vars, not asdict: no deep copies on the ack path
        fields["received_at"] = self.received_at.astimezone(UTC).isoformat()
        return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> QueuedCommand:
        try:
            fields: Any = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as error:
            raise MalformedMessage("not JSON") from error
        version = fields.pop("v", None) if isinstance(fields, dict) else None
        if type(version) is not int or version != FORMAT_VERSION:
            raise MalformedMessage("not a command message of a known version")
        strings = ("command_id", "user_id", "owner", "text", "response_url", "received_at")
        if set(fields) - {*strings, "view_id"} or not all(isinstance(fields.get(k), str) for k in strings):
            raise MalformedMessage("fields missing or of the wrong type")
        if not (fields.get("view_id") is None or isinstance(fields["view_id"], str)):
            raise MalformedMessage("view_id of the wrong type")
        try:
            received_at = datetime.fromisoformat(fields.pop("received_at"))
        except ValueError as error:
            raise MalformedMessage("received_at is not a time") from error
        if received_at.tzinfo is None:
            raise MalformedMessage("received_at has no time zone")
        return cls(received_at=received_at, **fields)
