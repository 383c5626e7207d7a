"""Undo against what can run beside it on the worker: the log's own queue message delivered again, and the
member's clear. Each round, a few members press Undo on a log of theirs at the same moment as the race's
other message reaches the queue; once both have run, the undone log must be gone for good, every other log
as it was (or cleared, when the member cleared), and what each member read must say what happened.

The logs are real: typed at the HTTP front with the worker stopped, their queue messages copied off the
queue, then put back for the worker to carry out and answer. A redelivery is that very message sent again,
as the host sends it again after a worker dies before deleting it."""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from interactions import reports
from interactions.slack import actions, texts
from local.block_kit import Control
from prove.env import Stack
from prove.ledger import Stored
from prove.presses import Pressable, Presser, hooks, settle
from prove.report import Row
from prove.traffic import Command, People, User

SECTION_REDELIVERY = "Undo racing a redelivery of its log's own queue message"
SECTION_CLEAR = "Undo racing the member's clear, and a redelivery of their other log"
GOT_IT = "Got it! "
JITTER_SECONDS = 0.03  # one of the two goes up to this much later: they meet on the worker in every order


@dataclass
class Logged:
    """A log, carried out once and answered, with the Undo button of its answer."""

    user: User
    command: Command
    owner: str
    message: str  # the queue message the HTTP front wrote for it
    index: int = -1  # its answer's place in what the member was shown
    undo: Control | None = None


@dataclass
class Raced:
    """One member's round: the log undone, the other log, and the references of what they were told."""

    target: Logged
    other: Logged
    undo_ref: str
    clear: Command | None = None


def undo_race(stack: Stack, people: People, rounds: int, members: int, seed: int = 9) -> list[Row]:
    rng = random.Random(seed)  # noqa: S311 - a reproducible spread of timings, not a secret
    presser = Presser(stack)
    redelivering = [[people.add_user() for _ in range(members)] for _ in range(rounds)]
    clearing = [[people.add_user() for _ in range(members)] for _ in range(rounds)]
    logs = _logged(stack, presser, people, [u for group in redelivering + clearing for u in group])
    raced_redelivery, raced_clear = [], []
    for group in redelivering:
        raced_redelivery += _round(stack, presser, rng, [Raced(*logs[u.id], f"undo{u.id.lower()}") for u in group])
    for group in clearing:
        round_ = [Raced(*logs[u.id], f"undo{u.id.lower()}", people.clear(u)) for u in group]
        raced_clear += _round(stack, presser, rng, round_)
    stored = Stored.of(stack.entities())
    return [*_redelivery_rows(stack, stored, raced_redelivery), *_clear_rows(stack, stored, raced_clear)]


# --- The logs ---------------------------------------------------------------------------------------------


def _logged(stack: Stack, presser: Presser, people: People, users: list[User]) -> dict[str, tuple[Logged, Logged]]:
    """Two logs for each user: typed with the worker stopped, their messages copied, then carried out."""
    caller = presser.caller
    stack.worker.stop()
    made: dict[str, Logged] = {}
    try:
        for user in users:
            for _ in range(2):
                command = people.log(user)
                user.commands.append(command)
                if not caller.send(user, command).acked:
                    raise RuntimeError("the HTTP front did not queue a log for the Undo race")
                made[command.ref] = Logged(user, command, caller.owner(user.id), "")
        queue = stack.queue()
        while any(not logged.message for logged in made.values()):
            batch = list(queue.receive_messages(max_messages=32, visibility_timeout=60))
            if not batch:
                raise RuntimeError("the logs of the Undo race were not all on the queue")
            for message in batch:
                ref = str(json.loads(message.content)["response_url"]).rsplit("/", 1)[-1]
                made[ref].message = str(message.content)
                queue.delete_message(message)
    finally:
        stack.restart_worker()
    for logged in made.values():
        stack.queue().send_message(logged.message)
    if not settle(stack, lambda: all(hooks(stack, ref) for ref in made), timeout=120):
        raise RuntimeError("the logs of the Undo race were not all answered")
    for logged in made.values():
        _find_undo(stack, logged)
    by_user: dict[str, list[Logged]] = {}
    for logged in made.values():
        by_user.setdefault(logged.user.id, []).append(logged)
    return {user: (first, second) for user, (first, second) in by_user.items()}


def _find_undo(stack: Stack, logged: Logged) -> None:
    """The answer to the log among what its member was shown, by the command its Undo button names."""
    command_id = _command_id(logged.message)
    for shown in stack.slack.shown(logged.user.id):
        for control in shown.controls():
            if control.action_id == actions.UNDO and actions.parse_undo(str(control.value)).command_id == command_id:
                logged.index, logged.undo = shown.index, control
                return
    raise RuntimeError("a log of the Undo race was answered without an Undo button")


def _command_id(message: str) -> str:
    return str(json.loads(message)["command_id"])


# --- A round -------------------------------------------------------------------------------------------------


def _round(stack: Stack, presser: Presser, rng: random.Random, raced: list[Raced]) -> list[Raced]:
    """Every member of the round at once: Undo, and beside it the redelivery (or the clear and the redelivery of
    the other log), one of them up to JITTER_SECONDS after the other."""
    moves: list[Callable[[], object]] = []
    for race in raced:
        target = race.target
        if target.undo is None:
            raise RuntimeError("a log of the Undo race has no Undo button")
        shown = stack.slack.shown(target.user.id)[target.index]
        pressable = Pressable(target.user.id, shown, target.undo)
        moves.append(partial(_press, presser, pressable, race.undo_ref))
        if race.clear is None:
            moves.append(partial(_redeliver, stack, target.message))
        else:
            moves.append(partial(_clear, presser, target.user, race.clear))
            moves.append(partial(_redeliver, stack, race.other.message))
    delays = [rng.uniform(0, JITTER_SECONDS) if rng.random() < 0.7 else 0.0 for _ in moves]
    start = threading.Barrier(len(moves))
    failures: list[BaseException] = []

    def run(move: Callable[[], object], delay: float) -> None:
        start.wait()
        time.sleep(delay)
        try:
            move()
        except Exception as error:  # noqa: BLE001 - reported once every move has ended
            failures.append(error)

    threads = [threading.Thread(target=run, args=pair, name="race") for pair in zip(moves, delays, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"a move of the Undo race failed: {failures[0]!r}")
    settle(stack, lambda: all(_answered(stack, race) for race in raced))
    return raced


def _press(presser: Presser, pressable: Pressable, ref: str) -> None:
    status = presser.press(pressable, ref)
    if status != 200:
        raise RuntimeError(f"the HTTP front answered {status} to an Undo")


def _clear(presser: Presser, user: User, clear: Command) -> None:
    if not presser.caller.send(user, clear).acked:
        raise RuntimeError("the HTTP front did not queue a clear")


def _redeliver(stack: Stack, message: str) -> None:
    stack.queue().send_message(message)


def _answered(stack: Stack, race: Raced) -> bool:
    """The Undo, the redelivered log and the clear (if any) have each been answered."""
    again = race.target if race.clear is None else race.other
    return (
        bool(hooks(stack, race.undo_ref))
        and len(hooks(stack, again.command.ref)) >= 2
        and (race.clear is None or bool(hooks(stack, race.clear.ref)))
    )


# --- What was left, and what was said ---------------------------------------------------------------------


def _entries(stored: Stored, logged: Logged) -> int:
    """How many of the log's entries are stored (under its own keys: any copy would be the same rows)."""
    return len(stored.by_command.get((logged.owner, _command_id(logged.message)), []))


def _undo_said(stack: Stack, race: Raced) -> str:
    """What the member reads where they pressed Undo: the message, replaced in place by the answer."""
    return stack.slack.shown(race.target.user.id)[race.target.index].text()


def _names(logged: Logged) -> list[str]:
    return [f"<@{p.name}>" if p.mention else p.name for p in logged.command.people]


def _undone_right(said: str, race: Raced, percent: int | None) -> bool:
    """'Undone', naming the log's people and no other log's; with ``percent``, that of what is left."""
    lead = texts.undone(percent) if percent is not None else texts.undone(0).split(" You're")[0]
    return (
        said.startswith(lead)
        and all(name in said for name in _names(race.target))
        and race.other.command.guest not in said
    )


def _spread(said: Counter[str]) -> str:
    return ", ".join(f"{text} ×{n}" for text, n in said.most_common()) or "none"


def _redelivery_rows(stack: Stack, stored: Stored, raced: list[Raced]) -> list[Row]:
    section = SECTION_REDELIVERY
    back = sum(_entries(stored, race.target) for race in raced)
    intact = sum(stored.copies(race.other.command, race.other.owner) == 1 for race in raced)
    told_right = 0
    again: Counter[str] = Counter()
    for race in raced:
        left = [p.rating for p in race.other.command.people]
        told_right += _undone_right(_undo_said(stack, race), race, reports.percent_positive(left))
        answers = hooks(stack, race.target.command.ref)
        again[_kind(answers[1] if len(answers) > 1 else "")] += 1
    answered = sum(_answered(stack, race) for race in raced)
    return [
        Row.info(section, "members' Undos, each beside its log's message sent again", len(raced)),
        Row.check(
            section, "each Undo and each redelivery answered", f"{answered} of {len(raced)}", answered == len(raced)
        ),
        Row.check(section, "undone entries back after both settled", back, back == 0, count=back),
        Row.check(
            section, "the members' other logs, stored once as sent", f"{intact} of {len(raced)}", intact == len(raced)
        ),
        Row.check(
            section,
            "the Undo's answer: \"Undone\", the log's people, the percentage of what is left",
            f"{told_right} of {len(raced)}",
            told_right == len(raced),
        ),
        Row.info(section, "the redelivered log's own answer", _spread(again)),
    ]


def _clear_rows(stack: Stack, stored: Stored, raced: list[Raced]) -> list[Row]:
    section = SECTION_CLEAR
    left = sum(_entries(stored, race.target) + _entries(stored, race.other) for race in raced)
    undo_said: Counter[str] = Counter()
    told_right = cleared = 0
    again: Counter[str] = Counter()
    for race in raced:
        said = _undo_said(stack, race)
        undone = _undone_right(said, race, None)
        undo_said["Undone" if undone else _kind(said)] += 1
        told_right += undone or said.startswith(texts.NOTHING_LEFT_TO_UNDO)
        cleared += race.clear is not None and hooks(stack, race.clear.ref) == [texts.CLEARED]
        answers = hooks(stack, race.other.command.ref)
        again[_kind(answers[1] if len(answers) > 1 else "")] += 1
    answered = sum(_answered(stack, race) for race in raced)
    return [
        Row.info(
            section, "members' Undos, each beside their clear and their other log's message sent again", len(raced)
        ),
        Row.check(
            section, "each Undo, clear and redelivery answered", f"{answered} of {len(raced)}", answered == len(raced)
        ),
        Row.check(section, "entries left after all three settled", left, left == 0, count=left),
        Row.check(section, 'each clear answered "cleared", once', f"{cleared} of {len(raced)}", cleared == len(raced)),
        Row.check(
            section,
            'the Undo\'s answer: "Undone" and the log\'s people, or "Nothing was left to undo"',
            f"{told_right} of {len(raced)} ({_spread(undo_said)})",
            told_right == len(raced),
        ),
        Row.info(section, "the redelivered other log's own answer", _spread(again)),
    ]


def _kind(text: str) -> str:
    """An answer, by its first words: enough to tell which of the app's answers it was."""
    if text.startswith(GOT_IT):
        return '"Got it!"'
    for known in (texts.LOG_WAS_UNDONE, texts.LOGGED_BEFORE_CLEAR, texts.NOTHING_LEFT_TO_UNDO, texts.ALREADY_UNDONE):
        if text.startswith(known):
            return f'"{known.split(",")[0].split(":")[0]}"'
    return f'"{text[:40]}"' if text else "none"
