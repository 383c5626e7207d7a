"""The messages that carry work from the HTTP functions to the queue worker, each saying what it is: a slash
command, a press of one of the app's buttons or menus, a member opening the app's Home tab, or a log form
submitted.

They hold only what the worker needs: never channel ids or names, team domain, user name, enterprise fields
or the verification token. Messages of the first format, which held slash commands only and said no kind,
are still read, so that what an earlier version queued is carried out after a deploy.
"""

from __future__ import annotations

import json
from dataclasses import MISSING, dataclass, fields
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from interactions.model import MAX_NAME_CODE_POINTS, MAX_PEOPLE, NEGATIVE, POSITIVE, Person, Rated

FORMAT_VERSION = 2
_COMMANDS_ONLY_VERSION = 1  # no "kind": every message was a slash command


class MalformedMessage(ValueError):
    """A queue message that is not one this app wrote; retrying it can never succeed."""


class _Message:
    """What every kind of message does: says its kind in its JSON."""

    KIND: ClassVar[str]

    def to_json(self) -> str:
        # vars, not asdict: no deep copies on the ack path
        message = {"v": FORMAT_VERSION, "kind": self.KIND, **vars(self)}
        message["received_at"] = message["received_at"].astimezone(UTC).isoformat()
        return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class QueuedCommand(_Message):
    KIND: ClassVar[str] = "command"
    command_id: str
    user_id: str
    owner: str  # the caller's pseudonym (interactions.pseudonym): the PartitionKey of their entries
    text: str
    response_url: str
    received_at: datetime  # when Slack's request reached us; the logged entries' time
    view_id: str | None = None

    @classmethod
    def from_json(cls, raw: str | bytes) -> QueuedCommand:
        message = read(raw)
        if not isinstance(message, QueuedCommand):
            raise MalformedMessage("not a command")
        return message


@dataclass(frozen=True)
class QueuedPress(_Message):
    """A member pressed a button or chose in a menu of the app's: in a message, a modal or their Home tab."""

    KIND: ClassVar[str] = "press"
    press_id: str
    user_id: str
    owner: str
    received_at: datetime
    action_id: str
    value: str  # what the control carries (interactions.slack.actions), checked again by the worker
    surface: str  # "message", "modal" or "home"
    response_url: str | None = None  # a message's: where its replacement goes
    view_id: str | None = None  # a modal's or Home tab's
    view_hash: str | None = None  # the view as the member saw it: an update from an older one is refused
    pressed_at: str | None = None  # Slack's action_ts: which of two presses of one view was made last


@dataclass(frozen=True)
class QueuedHomeOpened(_Message):
    """A member opened the app's Home tab: it shows their dashboard."""

    KIND: ClassVar[str] = "home_opened"
    event_id: str
    user_id: str
    owner: str
    received_at: datetime
    view_hash: str | None = None


@dataclass(frozen=True)
class QueuedFormLog(_Message):
    """A member submitted the log form: who they met and how each went, the day, their note. The answer
    goes to the form's modal, by its id."""

    KIND: ClassVar[str] = "form_log"
    command_id: str
    user_id: str
    owner: str
    received_at: datetime
    view_id: str
    met_on: str  # "YYYY-MM-DD"
    rated: str  # the people and their ratings, as ``rated_json`` writes them
    note: str | None = None

    def people(self) -> tuple[Rated, ...]:
        """The people rated; MalformedMessage when ``rated`` is not as this app writes it."""
        try:
            listed = json.loads(self.rated)
        except ValueError as error:
            raise MalformedMessage("rated is not JSON") from error
        if not isinstance(listed, list) or not 0 < len(listed) <= MAX_PEOPLE:
            raise MalformedMessage("rated is not a list of people")
        people: list[Rated] = []
        for item in listed:
            if not (
                isinstance(item, list)
                and len(item) == 3
                and item[0] in ("u", "n")
                and isinstance(item[1], str)
                and 0 < len(item[1]) <= MAX_NAME_CODE_POINTS
                and type(item[2]) is int
                and item[2] in (POSITIVE, NEGATIVE)
            ):
                raise MalformedMessage("rated holds something other than a person rated")
            people.append(Rated(Person(item[1], mention=item[0] == "u"), item[2]))
        return tuple(people)

    def met(self) -> date:
        try:
            return date.fromisoformat(self.met_on)
        except ValueError as error:
            raise MalformedMessage("met_on is not a day") from error


def rated_json(rated: tuple[Rated, ...]) -> str:
    return json.dumps([["u" if r.person.mention else "n", r.person.name, r.rating] for r in rated], ensure_ascii=False)


Queued = QueuedCommand | QueuedPress | QueuedHomeOpened | QueuedFormLog
SURFACES = ("message", "modal", "home")
_KINDS: dict[str, type[Queued]] = {k.KIND: k for k in (QueuedCommand, QueuedPress, QueuedHomeOpened, QueuedFormLog)}


def read(raw: str | bytes) -> Queued:
    """The message ``raw`` holds; MalformedMessage when it is not one this app (or an earlier version) wrote."""
    try:
        message: Any = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedMessage("not JSON") from error
    if not isinstance(message, dict):
        raise MalformedMessage("not an object")
    version = message.pop("v", None)
    if type(version) is not int or version not in (_COMMANDS_ONLY_VERSION, FORMAT_VERSION):
        raise MalformedMessage("not a message of a known version")
    kind = message.pop("kind", None) if version == FORMAT_VERSION else QueuedCommand.KIND
    message_type = _KINDS.get(kind) if isinstance(kind, str) else None
    if message_type is None:
        raise MalformedMessage("not a kind of message this app writes")
    optional = {f.name for f in fields(message_type) if f.default is not MISSING}
    required = {f.name for f in fields(message_type)} - optional
    if set(message) - required - optional or required - set(message):
        raise MalformedMessage("fields missing or unknown")
    for name, value in message.items():
        if not (isinstance(value, str) or (value is None and name in optional)):
            raise MalformedMessage(f"{name} of the wrong type")
    try:
        received_at = datetime.fromisoformat(message.pop("received_at"))
    except ValueError as error:
        raise MalformedMessage("received_at is not a time") from error
    if received_at.tzinfo is None:
        raise MalformedMessage("received_at has no time zone")
    if message_type is QueuedPress and message["surface"] not in SURFACES:
        raise MalformedMessage("surface unknown")
    made = message_type(received_at=received_at, **message)
    if isinstance(made, QueuedFormLog):
        made.people(), made.met()  # raise here, as every other malformed message does
    return made
