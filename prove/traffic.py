"""What Slack sends: users, their slash commands, and signed posts of them to the HTTP front.

Every command carries the harness's own reference in its response_url (``/hooks/<user>/<ref>``) and its
trigger id (``<user>.<ref>``), and every log names one person nobody else names, ``Guest <marker>``: so an
answer at the stand-in and a stored entity can each be traced to the one command that caused them.
"""

from __future__ import annotations

import http.client
import json
import random
import time
import urllib.parse
from dataclasses import dataclass, field

from interactions.pseudonym import owner_key
from interactions.slack.texts import COULD_NOT_CLEAR, COULD_NOT_RECORD, COULD_NOT_SHOW, MAYBE_RECORDED
from prove.env import Workspace
from testkit.slack_requests import command_form, signed_headers

LOG, VIEW, CLEAR = "log", "view", "clear"
VIEW_TEXTS = ("", "90", "7 person", "30 time", "+", "365 -", "person", "14 time +")
PLAIN_NAMES = ("Ana Lima", "Bo", "Random Guy", "Zoë Ångström", "Łukasz", "Dr. No", "Mary-Jane O'Neil")
COMMANDS_PATH, INTERACTIONS_PATH, EVENTS_PATH = "/api/slack/commands", "/api/slack/interactions", "/api/slack/events"
COLLEAGUES = 40  # people mentioned in logs, never callers: a caller's own id must be nowhere in storage


@dataclass(frozen=True)
class Rated:
    name: str  # as stored: a user id for a mention, else the name as typed
    mention: bool
    rating: int


@dataclass(frozen=True)
class Command:
    ref: str
    user: str
    kind: str  # LOG, VIEW or CLEAR
    text: str  # as Slack sends it: mentions as <@W123>, & < > escaped
    people: tuple[Rated, ...] = ()  # a log's entries, in order
    marker: str = ""  # a log's one-off person name

    @property
    def guest(self) -> str:
        return f"Guest {self.marker}"


@dataclass
class User:
    id: str
    name: str  # the user_name Slack sends; the app must drop it
    commands: list[Command] = field(default_factory=list)

    @property
    def leaves(self) -> bool:
        """A leaver's last command clears all of their logs."""
        return bool(self.commands) and self.commands[-1].kind == CLEAR


@dataclass(frozen=True)
class Ack:
    """The HTTP front's answer to one command, and how long it took."""

    command: Command
    status: int
    body: bytes
    sent_at: float  # time.monotonic()
    latency: float  # seconds

    @property
    def acked(self) -> bool:
        """Queued: the empty 200 that tells Slack the answer comes later."""
        return self.status == 200 and not self.body.strip()

    @property
    def refused(self) -> bool:
        """Not queued, and the user read exactly why (an ephemeral message, with HTTP 200)."""
        return self.status == 200 and _ephemeral_text(self.body) in (COULD_NOT_RECORD, COULD_NOT_SHOW, COULD_NOT_CLEAR)

    @property
    def uncertain(self) -> bool:
        """Perhaps queued (storage took the request, then no answer came): the user is told to check first."""
        return self.status == 200 and _ephemeral_text(self.body) == MAYBE_RECORDED


def _ephemeral_text(body: bytes) -> str | None:
    try:
        answer = json.loads(body) if body.strip() else None
    except ValueError:
        return None
    if isinstance(answer, dict) and answer.get("response_type") == "ephemeral":
        return str(answer.get("text"))
    return None


@dataclass
class People:
    """The users of one scenario and the colleagues they mention, with names unique to this run."""

    tag: str  # unique to the run and the scenario, in every id and name below
    rng: random.Random
    colleagues: list[str] = field(default_factory=list)
    users: list[User] = field(default_factory=list)
    made: list[Command] = field(default_factory=list)  # every command made up, sent or not
    _count: int = 0

    @classmethod
    def make(cls, tag: str, seed: int) -> People:
        people = cls(tag, random.Random(seed))  # noqa: S311 - a reproducible mix, not a secret
        people.colleagues = [f"W{tag}{n:03d}" for n in range(COLLEAGUES)]
        return people

    def add_user(self) -> User:
        user = User(f"U{self.tag}{len(self.users):04d}", f"uname{self.tag.lower()}{len(self.users):04d}")
        self.users.append(user)
        return user

    def next_ref(self) -> str:
        self._count += 1
        return f"{self.tag.lower()}{self._count:05d}"

    def log(self, user: User) -> Command:
        ref = self.next_ref()
        marker = f"N{self.tag}{self._count:05d}"
        people = [Rated(f"Guest {marker}", False, self._rating())]
        for _ in range(self.rng.choice((0, 0, 1, 1, 2))):
            if self.rng.random() < 0.5:
                people.append(Rated(self.rng.choice(self.colleagues), True, self._rating()))
            else:
                people.append(Rated(self.rng.choice(PLAIN_NAMES), False, self._rating()))
        return self.remember(Command(ref, user.id, LOG, self._log_text(people), tuple(people), marker))

    def view(self, user: User) -> Command:
        return self.remember(Command(self.next_ref(), user.id, VIEW, self.rng.choice(VIEW_TEXTS)))

    def clear(self, user: User) -> Command:
        return self.remember(Command(self.next_ref(), user.id, CLEAR, self.rng.choice(("clear", "CLEAR", " clear "))))

    def remember(self, command: Command) -> Command:
        self.made.append(command)
        return command

    def _rating(self) -> int:
        return self.rng.choice((1, 1, 1, -1))

    def _log_text(self, people: list[Rated]) -> str:
        words = []
        for person in people:
            sign = "+" if person.rating > 0 else self.rng.choice(("-", "−"))
            shown = f"<@{person.name}>" if person.mention else _slack_escaped(person.name)
            glued = not person.mention and self.rng.random() < 0.2  # "Bo+" is "Bo +"
            words.append(f"{shown}{sign}" if glued else f"{shown} {sign}")
        return " ".join(words)


def _slack_escaped(typed: str) -> str:
    return typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plan(people: People, commands: int, users: int, views: float = 0.12, leavers: float = 0.2) -> list[User]:
    """``commands`` commands spread over ``users`` users: mostly logs, some views, and for a share of the
    users (the leavers) a clear as their last command."""
    made = [people.add_user() for _ in range(users)]
    leaving = set(people.rng.sample(range(users), round(users * leavers)))
    for index in range(commands):
        user = made[index % users]
        user.commands.append(people.view(user) if people.rng.random() < views else people.log(user))
    for index in sorted(leaving):
        user = made[index]
        if user.commands:
            user.commands[-1] = people.clear(user)
    return made


@dataclass(frozen=True)
class Caller:
    """Posts commands to the app as Slack does: the form, the v0 signature, the stand-in's URLs."""

    workspace: Workspace
    app_port: int
    slack_url: str

    def form(self, user: User, command: Command, slash: str = "/interactions") -> dict[str, str]:
        own = {
            **self.workspace.form_fields(),
            "user_name": user.name,
            "response_url": f"{self.slack_url}/hooks/{user.id}/{command.ref}",
            "trigger_id": f"{user.id}.{command.ref}",
        }
        return command_form(user.id, self.workspace.team_id, slash, command.text, self.slack_url, as_typed=False, **own)

    def signed(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        return signed_headers(self.workspace.signing_secret, body, timestamp)

    def send(self, user: User, command: Command) -> Ack:
        body = urllib.parse.urlencode(self.form(user, command)).encode()
        started = time.monotonic()
        status, answer = self.post(body, self.signed(body))
        return Ack(command, status, answer, started, time.monotonic() - started)

    def post(
        self, body: bytes, headers: dict[str, str], timeout: float = 30, path: str = COMMANDS_PATH
    ) -> tuple[int, bytes]:
        """One POST to the commands route (or another of the front's); (status, body). Status 0: no HTTP
        answer at all."""
        connection = http.client.HTTPConnection("127.0.0.1", self.app_port, timeout=timeout)
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        except OSError:
            return 0, b""
        finally:
            connection.close()

    def owner(self, user: str) -> str:
        """The user's PartitionKey, as the app derives it."""
        return owner_key(self.workspace.pseudonym_key.encode(), self.workspace.team_id, user)
