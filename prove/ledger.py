"""The accounting: what was sent and acknowledged, against what the table holds and what the Slack stand-in
was given. A command is lost when it was acknowledged (an empty 200) but its entries are not stored, or its
user never got the final answer; it is duplicated when its entries are stored more than once."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from interactions.slack.texts import CLEARED, COULD_NOT_SHOW
from local.slack_standin import Call, SlackStandIn
from prove.traffic import CLEAR, LOG, VIEW, Ack, Command

ANSWER_PREFIX = {LOG: "Got it! You're ", CLEAR: CLEARED}


@dataclass
class Answers:
    """The stand-in's calls, by the harness's command reference."""

    hooks: dict[str, list[Call]] = field(default_factory=lambda: defaultdict(list))  # every attempt
    opened: dict[str, str] = field(default_factory=dict)  # ref -> view id
    updates: Counter[str] = field(default_factory=Counter)  # view id -> views.update calls that took

    @classmethod
    def of(cls, calls: Iterable[Call]) -> Answers:
        answers = cls()
        for call in calls:
            if call.method == "hook":
                answers.hooks[call.ref].append(call)
            elif call.method == "views.open" and call.view_id:
                answers.opened[call.ref] = call.view_id
            elif call.method == "views.update" and call.status == 200 and call.view_id:
                answers.updates[call.view_id] += 1
        return answers

    def delivered(self, ref: str) -> list[Call]:
        return [call for call in self.hooks.get(ref, []) if call.status == 200]

    def count(self, command: Command) -> int:
        """How many times the command's final answer reached its user."""
        view_id = self.opened.get(command.ref)
        return len(self.delivered(command.ref)) + (self.updates[view_id] if view_id else 0)

    def refused(self, ack: Ack, slack: SlackStandIn) -> bool:
        """Not queued, and the user read why: in the acknowledgement, or (a view with a loading modal) in the
        modal, where the acknowledgement says it once rather than twice."""
        if ack.refused:
            return True
        view_id = self.opened.get(ack.command.ref) if ack.command.kind == VIEW else None
        modal = slack.modal(view_id) if view_id else None
        return modal is not None and COULD_NOT_SHOW in str(modal.payload)

    def right(self, command: Command, slack: SlackStandIn) -> bool:
        """Whether the user saw the kind of answer the command calls for (a redelivered command may be
        answered again, differently: a log run again after the user's clear)."""
        delivered = [call.text for call in self.delivered(command.ref)]
        if command.kind == VIEW:
            view_id = self.opened.get(command.ref)
            modal = slack.modal(view_id) if view_id else None
            if modal is not None and not modal.payload.get("loading"):
                return "Sorry" not in str(modal.payload)
            return any(not text.startswith("Sorry") for text in delivered)
        return any(text.startswith(ANSWER_PREFIX[command.kind]) for text in delivered)


@dataclass
class Stored:
    """The table's entities, by the person named and by the command that wrote them."""

    by_person: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    by_command: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    by_owner: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, entities: Iterable[dict[str, Any]]) -> Stored:
        stored = cls()
        for entity in entities:
            stored.by_person[str(entity["Person"])].append(entity)
            stored.by_command[(entity["PartitionKey"], command_id(entity))].append(entity)
            stored.by_owner[entity["PartitionKey"]] += 1
        return stored

    def copies(self, command: Command, owner: str) -> int:
        """How many times the log is stored whole, in its user's partition; -1 when stored but not as sent."""
        found = self.by_person.get(command.guest, [])
        if not found:
            return 0
        for entity in found:
            group = self.by_command[(entity["PartitionKey"], command_id(entity))]
            entries = sorted((str(e["Person"]), bool(e["Mention"]), int(e["Rating"])) for e in group)
            expected = sorted((p.name, p.mention, p.rating) for p in command.people)
            if entity["PartitionKey"] != owner or entries != expected:
                return -1
        return len(found)


def command_id(entity: dict[str, Any]) -> str:
    """The app's command id in a RowKey: ``<inverted time>-<command id>-<index>``."""
    return str(entity["RowKey"]).split("-")[1]


@dataclass
class Tally:
    """The figures of one load: what was sent, and what became of it."""

    planned: int = 0  # commands the users were to send
    sent: int = 0
    acked: int = 0
    refused: int = 0  # "couldn't record that" (or show, or clear) "please try again", with HTTP 200
    other: Counter[int] = field(default_factory=Counter)  # any other answer, by status (0: none)
    logs_acked: int = 0
    stored_once: int = 0
    answered: int = 0
    lost: int = 0
    duplicated: int = 0
    garbled: int = 0  # stored, but not the entries sent, or not in the caller's partition
    refused_but_stored: int = 0  # told "try again", yet stored: trying again would log it twice
    uncertain: int = 0  # told "I can't tell whether I recorded that": storage took it, then went silent
    answered_again: int = 0  # an answer delivered twice: a redelivered message's (at least once)
    wrong_answers: int = 0
    given_up: int = 0  # acked commands whose answer Slack refused until the app gave up, on purpose
    latencies: list[float] = field(default_factory=list)

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.other.items() if status >= 500 or status == 0)

    def percentile(self, share: float) -> float:
        """Ack latency at ``share`` (0.5, 0.99), in milliseconds."""
        if not self.latencies:
            return 0.0
        if len(self.latencies) == 1:
            return self.latencies[0] * 1000
        cuts = statistics.quantiles(self.latencies, n=100, method="inclusive")
        return cuts[round(share * 100) - 1] * 1000


def tally(
    acks: Iterable[Ack],
    owners: dict[str, str],
    stored: Stored,
    answers: Answers,
    slack: SlackStandIn,
    unanswerable: frozenset[str] = frozenset(),
) -> Tally:
    """``owners``: each user's PartitionKey. ``unanswerable``: refs whose answer the stand-in refused on
    purpose; they count as given up, not lost, once the app stopped trying."""
    figures = Tally()
    for ack in acks:
        command = ack.command
        figures.sent += 1
        figures.latencies.append(ack.latency)
        if answers.refused(ack, slack):
            figures.refused += 1
            if command.kind == LOG and stored.by_person.get(command.guest):
                figures.refused_but_stored += 1
            continue
        if ack.uncertain:
            figures.uncertain += 1
            continue
        if not ack.acked:
            figures.other[ack.status] += 1
            continue
        figures.acked += 1
        lost = False
        if command.kind == LOG:
            figures.logs_acked += 1
            copies = stored.copies(command, owners[command.user])
            figures.stored_once += copies == 1
            figures.duplicated += copies > 1
            figures.garbled += copies < 0
            lost = copies == 0
        answered = answers.count(command)
        if command.ref in unanswerable:
            figures.given_up += answered == 0
        else:
            figures.answered += answered > 0
            figures.answered_again += answered > 1
            lost = lost or answered == 0
            figures.wrong_answers += answered > 0 and not answers.right(command, slack)
        if lost:
            figures.lost += 1
    return figures
