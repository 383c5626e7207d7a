"""Bad input at the running hosts: odd names stored and read back as typed, malformed queue messages dropped
without upsetting the worker, and seeded random requests at the HTTP front. The names and messages are
testkit's, which the host tests try too; the Hypothesis suites over the same ground run in ``make test``."""

from __future__ import annotations

import random
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from interactions.queue_message import QueuedCommand
from interactions.slack.request import MAX_BODY_BYTES
from prove.env import Stack
from prove.ledger import Answers
from prove.load import Load
from prove.report import Row
from prove.traffic import LOG, VIEW, Caller, Command, People, Rated, User
from testkit.odd_input import DROPPED, ODD_NAMES, malformed_messages
from testkit.waiting import happened

SECTION_NAMES = "odd names, stored and read back as typed"
SECTION_QUEUE = "malformed queue messages at the running worker"
SECTION_HTTP = "random requests at the HTTP front"


def bad_input(stack: Stack, people: People, requests: int) -> list[Row]:
    return [
        *odd_names(stack, people),
        *malformed_at_the_worker(stack, people),
        *random_requests(stack, people, requests),
    ]


# --- Odd names -------------------------------------------------------------------------------------------


def odd_names(stack: Stack, people: People) -> list[Row]:
    """One user logs each name, then views the last 10 years: each name must be stored exactly as typed,
    and read by the user exactly as typed once Slack has rendered the markup."""
    user = people.add_user()
    for name in ODD_NAMES:
        ref = people.next_ref()
        text = f"{name.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')} +"  # as Slack escapes it
        user.commands.append(people.remember(Command(ref, user.id, LOG, text, (Rated(name, False, 1),), ref)))
    Load(stack, [user], concurrency=1).run().settle(timeout=60)
    view = User(user.id, user.name, [people.remember(Command(people.next_ref(), user.id, VIEW, "3650"))])
    Load(stack, [view], concurrency=1).run().settle(timeout=60)
    owner = Caller(stack.workspace, stack.http.port, stack.slack.url).owner(user.id)
    stored = Counter(str(e["Person"]) for e in stack.entities() if e["PartitionKey"] == owner)
    shown = _shown_text(stack, view.commands[0])
    literal_stored = [name for name in ODD_NAMES if stored[name] == 1]
    literal_shown = [name for name in ODD_NAMES if name in shown]
    return [
        Row.check(
            SECTION_NAMES,
            "stored exactly as typed, once",
            f"{len(literal_stored)} of {len(ODD_NAMES)}",
            len(literal_stored) == len(ODD_NAMES),
        ),
        Row.check(
            SECTION_NAMES,
            "read exactly as typed in the user's view",
            f"{len(literal_shown)} of {len(ODD_NAMES)}",
            len(literal_shown) == len(ODD_NAMES),
        ),
    ]


def _shown_text(stack: Stack, command: Command) -> str:
    """What the user reads in the answer to a view: the modal, or the messages, as Slack renders them (names
    are rich text, shown exactly as typed)."""
    answers = Answers.of(stack.slack.calls())
    view_id = answers.opened.get(command.ref)
    modal = stack.slack.modal(view_id) if view_id else None
    if modal is not None:
        return modal.read()
    return "\n".join(shown.read() for shown in stack.slack.shown(command.user) if shown.kind == "message")


# --- Malformed queue messages ----------------------------------------------------------------------------


def malformed_at_the_worker(stack: Stack, people: People) -> list[Row]:
    """Put malformed messages straight on the app's queue, then a good command: every bad one is dropped
    (logged, without its content) and the worker, never restarted, answers the good one."""
    sender = people.add_user()
    good = QueuedCommand(
        command_id="0" * 32,
        user_id=sender.id,
        owner="0" * 64,
        text="Nobody +",
        response_url=f"{stack.slack.url}/hooks/{sender.id}/malformed",
        received_at=datetime.now(UTC),
    )
    messages = malformed_messages(good)
    dropped_before = stack.worker.log.count(DROPPED)
    starts, queue = stack.worker.starts, stack.queue()
    for message in messages:
        queue.send_message(message)
    happened(lambda: stack.worker.log.count(DROPPED) - dropped_before >= len(messages), 30, every=0.2)
    next_user = people.add_user()
    next_user.commands.append(people.log(next_user))
    run = Load(stack, [next_user], concurrency=1).run()
    run.settle(timeout=30)
    figures = run.tally()
    dropped = stack.worker.log.count(DROPPED) - dropped_before
    alive = stack.worker.process is not None and stack.worker.process.poll() is None and stack.worker.starts == starts
    return [
        Row.check(SECTION_QUEUE, "dropped, with a log line", f"{dropped} of {len(messages)}", dropped == len(messages)),
        Row.check(
            SECTION_QUEUE,
            "left on the queue or its poison queue",
            stack.waiting() + stack.waiting("-poison"),
            stack.waiting() + stack.waiting("-poison") == 0,
        ),
        Row.check(
            SECTION_QUEUE,
            "worker still the same process, and it served the next command",
            "yes" if alive and figures.answered == 1 and figures.stored_once == 1 else "no",
            alive and figures.answered == 1 and figures.stored_once == 1,
        ),
    ]


# --- Random requests -------------------------------------------------------------------------------------


@dataclass
class Fuzz:
    """Requests by kind, what came back, and the logs that must never be stored or answered."""

    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    forbidden: list[Command] = field(default_factory=list)  # their text and response_url are valid
    replayed_firsts: list[Command] = field(default_factory=list)

    def add(self, kind: str, status: int) -> None:
        self.statuses.setdefault(kind, Counter())[status] += 1

    def spread(self, kind: str) -> str:
        """The statuses of that kind, as ``401×12, 413×3``."""
        return ", ".join(f"{status}×{n}" for status, n in sorted(self.statuses.get(kind, Counter()).items()))

    def count(self, kind: str, *statuses: int) -> tuple[int, int]:
        """(answers with one of ``statuses``, requests) of that kind."""
        seen = self.statuses.get(kind, Counter())
        return sum(seen[s] for s in statuses), sum(seen.values())


def random_requests(stack: Stack, people: People, requests: int, seed: int = 4) -> list[Row]:
    rng = random.Random(seed)  # noqa: S311 - reproducible noise, not a secret
    caller = Caller(stack.workspace, stack.http.port, stack.slack.url)
    user = people.add_user()
    fuzz = Fuzz()
    kinds = [_unsigned, _signed_noise, _stale, _replayed, _oversize, _bad_signature_headers]
    for index in range(requests):
        kinds[index % len(kinds)](rng, caller, people, user, fuzz)
    # Anything queued by mistake would have been answered and stored by now.
    time.sleep(3)
    answers = Answers.of(stack.slack.calls())
    stored = Counter(str(e["Person"]).split(" ")[-1] for e in stack.entities())  # by marker
    leaked = [c for c in fuzz.forbidden if answers.count(c) or stored[c.marker]]
    firsts = [c for c in fuzz.replayed_firsts if stored[c.marker] == 1 and answers.count(c) == 1]
    errors = sum(n for seen in fuzz.statuses.values() for status, n in seen.items() if status >= 500 or status == 0)
    total = sum(sum(seen.values()) for seen in fuzz.statuses.values())
    rows = [
        Row.check(SECTION_HTTP, "5xx or no HTTP answer", f"{errors} of {total}", errors == 0, count=errors),
        Row.check(
            SECTION_HTTP,
            "unsigned, stale or replayed, yet answered or stored",
            f"{len(leaked)} of {len(fuzz.forbidden)}",
            not leaked,
        ),
        Row.check(
            SECTION_HTTP,
            "first copy of each replayed request stored and answered once",
            f"{len(firsts)} of {len(fuzz.replayed_firsts)}",
            len(firsts) == len(fuzz.replayed_firsts),
        ),
    ]
    expectations = [
        ("unsigned (random bytes, headers)", "unsigned", (401, 413)),
        ("stale or future timestamp → 401", "stale", (401,)),
        ("replayed → 401", "replayed", (401,)),
        ("oversize → 413 unsigned, 200 with the reason when signed", "oversize", (200, 413)),
        ("bad signature headers → 401", "headers", (401,)),
        ("signed forms of random fields → 200", "signed", (200,)),
        ("signed random bytes → 200 with the reason, or 400 when not UTF-8", "signed bytes", (200, 400)),
    ]
    for figure, kind, statuses in expectations:
        good, seen = fuzz.count(kind, *statuses)
        value = f"{good} of {seen} ({fuzz.spread(kind)})"
        rows.append(Row.check(SECTION_HTTP, figure, value, good == seen and seen > 0))
    return rows


def _valid_log(people: People, user: User, caller: Caller) -> tuple[Command, bytes]:
    command = people.log(user)
    return command, urllib.parse.urlencode(caller.form(user, command)).encode()


def _unsigned(rng: random.Random, caller: Caller, people: People, user: User, fuzz: Fuzz) -> None:
    if rng.random() < 0.5:
        command, body = _valid_log(people, user, caller)
        fuzz.forbidden.append(command)
    else:
        body = rng.randbytes(rng.randrange(0, 4096))
    headers = {"Content-Type": rng.choice(["application/x-www-form-urlencoded", "text/plain", "", "a/b; charset=x"])}
    if rng.random() < 0.5:
        headers["X-Slack-Request-Timestamp"] = rng.choice([str(int(time.time())), "", "abc", "-1", "1e9"])
    fuzz.add("unsigned", caller.post(body, headers)[0])


def _signed_noise(rng: random.Random, caller: Caller, people: People, user: User, fuzz: Fuzz) -> None:
    """Signed by Slack's secret, yet not a slash command this app knows, in any encoding."""
    fields = {rng.choice(["command", "text", "user_id", "team_id", "response_url", "x"]): _noise(rng) for _ in range(4)}
    fields["nonce"] = str(rng.random())
    encoding = rng.choice(["utf-8", "latin-1", "utf-16", "cp1252"])
    body = urllib.parse.urlencode(fields, encoding=encoding, errors="replace").encode()
    kind = "signed"
    if rng.random() < 0.3:  # not even a form: bytes that are seldom UTF-8, which a signature covers
        body, kind = rng.randbytes(rng.randrange(1, 2048)), "signed bytes"
    fuzz.add(kind, caller.post(body, caller.signed(body))[0])


def _noise(rng: random.Random) -> str:
    alphabet = "aZ09 +-@<>&%=;\\/'\"\x00\x07é€😀\u202e\ufeff"
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 60)))


def _stale(rng: random.Random, caller: Caller, people: People, user: User, fuzz: Fuzz) -> None:
    command, body = _valid_log(people, user, caller)
    offset = rng.choice([-1, 1]) * rng.randrange(301, 10**6)
    fuzz.forbidden.append(command)
    fuzz.add("stale", caller.post(body, caller.signed(body, int(time.time()) + offset))[0])


def _replayed(rng: random.Random, caller: Caller, people: People, user: User, fuzz: Fuzz) -> None:
    command, body = _valid_log(people, user, caller)
    headers = caller.signed(body)
    first, _ = caller.post(body, headers)
    if first == 200:
        fuzz.replayed_firsts.append(command)
    for _ in range(rng.randrange(1, 3)):
        fuzz.add("replayed", caller.post(body, headers)[0])


def _oversize(rng: random.Random, caller: Caller, people: People, user: User, fuzz: Fuzz) -> None:
    command, body = _valid_log(people, user, caller)
    body += b"&pad=" + b"x" * (MAX_BODY_BYTES - len(body) + rng.randrange(0, 64 * 1024))
    fuzz.forbidden.append(command)
    headers = caller.signed(body) if rng.random() < 0.5 else {"Content-Type": "application/x-www-form-urlencoded"}
    fuzz.add("oversize", caller.post(body, headers)[0])


def _bad_signature_headers(rng: random.Random, caller: Caller, people: People, user: User, fuzz: Fuzz) -> None:
    command, body = _valid_log(people, user, caller)
    headers = caller.signed(body)
    spoil = rng.choice(["no signature", "other secret", "v1", "empty stamp", "stamp text", "body changed"])
    if spoil == "no signature":
        del headers["X-Slack-Signature"]
    elif spoil == "other secret":
        headers["X-Slack-Signature"] = f"v0={rng.getrandbits(256):064x}"
    elif spoil == "v1":
        headers["X-Slack-Signature"] = headers["X-Slack-Signature"].replace("v0=", "v1=")
    elif spoil == "empty stamp":
        headers["X-Slack-Request-Timestamp"] = ""
    elif spoil == "stamp text":
        headers["X-Slack-Request-Timestamp"] = "soon"
    else:
        body = body.replace(b"Guest", b"Ghost")
    fuzz.forbidden.append(command)
    fuzz.add("headers", caller.post(body, headers)[0])
