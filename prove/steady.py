"""Load: many users' commands at once, no fault: every acknowledged log stored exactly once, every
command answered, and how fast the acknowledgements came."""

from __future__ import annotations

from dataclasses import dataclass

from prove.env import Stack
from prove.ledger import Tally
from prove.load import Load
from prove.report import Row
from prove.traffic import People, plan

SECTION = "load"
SLACK_ACK_SECONDS = 3.0  # Slack shows the user an error when the acknowledgement takes longer


@dataclass(frozen=True)
class Shape:
    commands: int
    users: int
    concurrency: int


def accounting(section: str, figures: Tally) -> list[Row]:
    """The rows every load reports: where each command went."""
    return [
        Row.check(
            section,
            "sent",
            f"{figures.sent} of {figures.planned}",
            figures.sent == figures.planned,
        ),
        Row.check(
            section,
            "acked (empty 200)",
            figures.acked,
            figures.acked + figures.refused + figures.uncertain == figures.sent,
        ),
        # "Sorry, I couldn't record that, please try again" (HTTP 200): storage refused or unreachable.
        Row.info(section, "refused: told to try again", figures.refused),
        # Trying again would log it twice: the app must say "try again" only when nothing was queued.
        Row.check(
            section, "refused, yet queued all the same", figures.refused_but_stored, figures.refused_but_stored == 0
        ),
        # Storage took the request and went silent: the user is told to check their logs first.
        Row.info(section, "told to check before trying again", figures.uncertain),
        Row.check(
            section,
            "acked logs stored exactly once",
            f"{figures.stored_once} of {figures.logs_acked}",
            figures.stored_once == figures.logs_acked,
        ),
        Row.check(
            section,
            "acked commands answered",
            f"{figures.answered} of {figures.acked - figures.given_up}",
            figures.answered == figures.acked - figures.given_up,
        ),
        Row.check(section, "lost", figures.lost, figures.lost == 0),
        Row.check(section, "duplicated", figures.duplicated, figures.duplicated == 0),
        Row.check(section, "stored but not as sent", figures.garbled, figures.garbled == 0),
        Row.check(section, "wrong answers", figures.wrong_answers, figures.wrong_answers == 0),
        Row.check(section, "5xx or no HTTP answer", figures.server_errors, figures.server_errors == 0),
    ]


def load(stack: Stack, shape: Shape, people: People) -> list[Row]:
    users = plan(people, shape.commands, shape.users)
    run = Load(stack, users, shape.concurrency).run()
    run.settle()
    figures = run.tally()
    section = f"{SECTION}: {shape.commands} commands, {shape.users} users, concurrency {shape.concurrency}"
    kinds = {kind: sum(1 for u in users for c in u.commands if c.kind == kind) for kind in ("log", "view", "clear")}
    drained = run.settled_at - run.started if run.settled_at else 0.0
    return [
        Row.info(section, "mix: logs / views / clears", f"{kinds['log']} / {kinds['view']} / {kinds['clear']}"),
        *accounting(section, figures),
        Row.check(section, "other HTTP answers", dict(figures.other) or 0, not figures.other),
        Row.check(
            section,
            "entities left after the leavers' clears",
            run.leavers_left_behind(),
            run.leavers_left_behind() == 0,
        ),
        Row.info(section, "answers delivered twice", figures.answered_again),
        Row.check(
            section,
            "ack latency p50 / p99",
            f"{figures.percentile(0.5):.0f} ms / {figures.percentile(0.99):.0f} ms",
            figures.percentile(0.99) < SLACK_ACK_SECONDS * 1000,
        ),
        Row.info(section, "all sent in / all answered in", f"{run.seconds:.1f} s / {drained:.1f} s"),
    ]
