"""Faults, each played while a load runs: the worker killed, storage down, Slack failing, a poison
message; each fault has its own users, so its accounting is its own. Then one fault aimed at one user: the
worker killed between storing a log and deleting its message, while the user clears."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from interactions.queue_message import QueuedCommand
from interactions.slack.texts import FAILED_NOTHING_SAVED
from local.host_process import HostProcess
from local.slack_standin import Call, Failure
from prove.env import WORKER_FUNCTIONS, Stack
from prove.ledger import Answers
from prove.load import Load
from prove.report import Row
from prove.steady import SLACK_ACK_SECONDS, Shape, accounting
from prove.traffic import Caller, Command, People, User, plan
from testkit.waiting import happened

GAVE_UP = "Gave up answering through response_url"
FAILED_RUN = "Executed 'Functions.process_queued_message' (Failed"
STARTED = "Processing a command: "  # the app's line as it starts on a parsed command ("Processing a command: log.")
FINISHED = "Executed 'Functions.process_queued_message'"


@dataclass(frozen=True)
class Paced(Shape):
    """A load spread over time (commands a second), so that a fault lands in the middle of it."""

    rate: float


def in_flight(log: str) -> int:
    """Commands a worker had started and not finished, by its log."""
    return log.count(STARTED) - log.count(FINISHED)


# --- The worker killed -----------------------------------------------------------------------------------


def worker_killed(stack: Stack, people: People, shape: Paced, kills: int = 3, between: int = 20) -> list[Row]:
    """SIGKILL the worker while it runs commands, ``kills`` times, each after it ran ``between`` commands since
    it (re)started, and start it again at once: its messages come back when their lease runs out."""
    section = f"worker killed: SIGKILL x{kills} mid-batch, {shape.commands} commands at {shape.rate:g}/s"
    run = Load(stack, plan(people, shape.commands, shape.users), shape.concurrency, shape.rate)
    sending = run.start()
    interrupted: list[int] = []
    during_load = 0
    for _ in range(kills):
        current = stack.worker.log_file(stack.worker.starts)
        happened(partial(_busy, current, between), timeout=60)
        stack.worker.kill()
        interrupted.append(in_flight(current.read_text(errors="replace")))
        during_load += sending.is_alive()
        time.sleep(0.5)  # the front keeps acknowledging meanwhile; the queue grows
        stack.restart_worker()
    sending.join()
    run.settle()
    figures = run.tally()
    return [
        Row.check(section, "kills while commands were being sent", f"{during_load} of {kills}", during_load == kills),
        Row.check(
            section,
            "invocations cut short by each kill",
            " / ".join(map(str, interrupted)),
            all(count > 0 for count in interrupted),
        ),
        *accounting(section, figures),
        Row.check(
            section,
            "entities left after the leavers' clears",
            run.leavers_left_behind(),
            run.leavers_left_behind() == 0,
        ),
        Row.info(section, "answers delivered twice (redelivered after a kill)", figures.answered_again),
    ]


def _busy(log_file: Path, ran: int) -> bool:
    """The worker ran ``ran`` commands since it started, and is running some now."""
    log = log_file.read_text(errors="replace")
    return log.count(FINISHED) >= ran and in_flight(log) > 0


# --- Storage down ----------------------------------------------------------------------------------------


def azurite_down(stack: Stack, people: People, shape: Paced, lead: float = 4, outage: float = 10) -> list[Row]:
    """Stop Azurite with SIGTERM (it saves its data and exits) ``lead`` seconds into the load, and start it
    again on the same ports and folder ``outage`` seconds later."""
    section = f"Azurite down {outage:g} s (SIGTERM, then started again), {shape.commands} commands at {shape.rate:g}/s"
    run = Load(stack, plan(people, shape.commands, shape.users), shape.concurrency, shape.rate)
    sending = run.start()
    time.sleep(lead)
    waiting = stack.waiting()  # on the queue as storage goes: they must be there after the restart
    stack.azurite.stop()
    down = time.monotonic()
    time.sleep(outage)
    restarting = time.monotonic()
    stack.azurite.start()
    up = time.monotonic()
    sending.join()
    run.settle()
    figures = run.tally()
    # Sent and answered entirely while Azurite was gone: these cannot have been queued.
    inside = [a for a in run.acks if a.sent_at >= down and a.sent_at + a.latency < restarting]
    answers = Answers.of(stack.slack.calls())
    refused = [a for a in inside if answers.refused(a, stack.slack)]
    slowest = max((a.latency for a in run.acks if a.sent_at + a.latency >= down and a.sent_at < up), default=0.0)
    return [
        Row.info(section, "storage unreachable for", f"{up - down:.1f} s"),
        Row.info(section, "messages on the queue as it stopped (kept on disk)", waiting),
        Row.check(
            section,
            'sent while down: 200 + "couldn\'t record that" (a view: show, a clear: clear), "please try again"',
            f"{len(refused)} of {len(inside)}",
            bool(inside) and len(refused) == len(inside),
        ),
        Row.check(
            section,
            "slowest acknowledgement around the outage",
            f"{slowest * 1000:.0f} ms",
            slowest < SLACK_ACK_SECONDS,
        ),
        *accounting(section, figures),
        Row.check(
            section,
            "entities left after the leavers' clears",
            run.leavers_left_behind(),
            run.leavers_left_behind() == 0,
        ),
    ]


# --- Slack failing ---------------------------------------------------------------------------------------

GIVE_UP = (Failure(500), Failure(429, {"Retry-After": "1"}), Failure(429, {"Retry-After": "1"}))
RECOVER = (Failure(500), Failure(429, {"Retry-After": "1"}))


def slack_failing(stack: Stack, people: People, shape: Paced, victims: int = 3) -> list[Row]:
    """Among a load, ``victims`` users' answers meet 500, then 429 with Retry-After: 1, then 429 again (the
    app gives up after slack_sdk's two retries), and as many others' meet 500 then 429 (the third try
    gets through)."""
    section = f"Slack failing: 500 then 429 Retry-After 1, {shape.commands} commands at {shape.rate:g}/s"
    users = plan(people, shape.commands, shape.users)
    give_up, recover = _victims(people, victims), _victims(people, victims)
    for user in give_up:
        stack.slack.fail_next(*GIVE_UP, user=user.id)
    for user in recover:
        stack.slack.fail_next(*RECOVER, user=user.id)
    gave_up_before = stack.worker.log.count(GAVE_UP)
    unanswerable = frozenset(user.commands[0].ref for user in give_up)
    run = Load(stack, [*users, *give_up, *recover], shape.concurrency, shape.rate).run()
    run.settle(unanswerable=unanswerable)

    def attempts(user: User) -> list[Call]:
        return Answers.of(stack.slack.calls()).hooks.get(user.commands[0].ref, [])

    happened(lambda: all(len(attempts(user)) >= len(GIVE_UP) for user in give_up), timeout=30, every=0.2)
    happened(lambda: stack.worker.log.count(GAVE_UP) - gave_up_before >= victims, timeout=10, every=0.2)
    gave_up = stack.worker.log.count(GAVE_UP) - gave_up_before
    figures = run.tally(unanswerable)
    expected_give_up = [f.status for f in GIVE_UP]
    expected_recover = [*(f.status for f in RECOVER), 200]
    return [
        Row.check(
            section,
            "tries of each given-up answer",
            _tries(attempts, give_up),
            all([c.status for c in attempts(u)] == expected_give_up for u in give_up),
        ),
        Row.check(
            section,
            "tries of each answer that got through",
            _tries(attempts, recover),
            all([c.status for c in attempts(u)] == expected_recover for u in recover),
        ),
        Row.check(
            section,
            "Retry-After honoured (shortest wait after a 429)",
            f"{_after_429(attempts, [*give_up, *recover]):.2f} s",
            _after_429(attempts, [*give_up, *recover]) >= 1.0,
        ),
        Row.check(section, f'"{GAVE_UP}" log lines', f"{gave_up} for {victims} given up", gave_up == victims),
        *accounting(section, figures),
        Row.check(
            section,
            "given up after the retries, on purpose",
            f"{figures.given_up} of {victims}",
            figures.given_up == victims,
        ),
    ]


def _victims(people: People, count: int) -> list[User]:
    users = [people.add_user() for _ in range(count)]
    for user in users:
        user.commands.append(people.log(user))
    return users


def _tries(attempts: Callable[[User], list[Call]], users: list[User]) -> str:
    return "; ".join(",".join(str(call.status) for call in attempts(user)) for user in users)


def _after_429(attempts: Callable[[User], list[Call]], users: list[User]) -> float:
    waits = [
        later.at - call.at
        for user in users
        for call, later in zip(attempts(user), attempts(user)[1:], strict=False)
        if call.status == 429
    ]
    return min(waits, default=0.0)


# --- Poison ----------------------------------------------------------------------------------------------


def poison(stack: Stack, people: People, shape: Paced, max_dequeue_count: int) -> list[Row]:
    """A log command whose owner key holds '#', which Table Storage refuses in a PartitionKey: it fails on
    every try, so after maxDequeueCount tries it moves to the poison queue, whose function tells the user.
    ('/' fails too, but Azurite then answers the poison function's read with a 500 where Azure says 400, and
    the user reads that the app can't tell yet whether anything was saved.)"""
    section = f"poison message among {shape.commands} commands at {shape.rate:g}/s"
    run = Load(stack, plan(people, shape.commands, shape.users), shape.concurrency, shape.rate)
    victim = people.add_user()
    command = people.log(victim)
    moved_line = f"Moved a message of '{stack.queue_name}' to '{stack.queue_name}-poison': failed"
    before = {text: stack.worker.log.count(text) for text in (moved_line, FAILED_RUN)}
    sending = run.start()
    message = QueuedCommand(
        command_id=uuid.uuid4().hex,
        user_id=victim.id,
        owner=f"prove#{uuid.uuid4().hex}",  # '#' is not allowed in a PartitionKey
        text=command.text,
        response_url=f"{stack.slack.url}/hooks/{victim.id}/{command.ref}",
        received_at=datetime.now(UTC),
    )
    queued = time.monotonic()
    stack.queue().send_message(message.to_json())  # the app's own format; host.json says messageEncoding none

    def answer() -> list[Call]:
        return Answers.of(stack.slack.calls()).delivered(command.ref)

    happened(lambda: bool(answer()), timeout=90, every=0.2)
    answered_in = time.monotonic() - queued
    sending.join()
    run.settle()
    figures = run.tally()
    moved = stack.worker.log.count(moved_line) - before[moved_line]
    tries = stack.worker.log.count(FAILED_RUN) - before[FAILED_RUN]
    told = [call.text for call in answer()]
    stored = [e for e in stack.entities() if e["Person"] == command.guest]
    return [
        Row.check(
            section,
            "tries before the poison queue",
            f"{tries} (maxDequeueCount {max_dequeue_count})",
            tries == max_dequeue_count,
        ),
        Row.check(section, "moved to <queue>-poison", moved, moved == 1),
        Row.check(section, "the user was told", _said(told), told == [FAILED_NOTHING_SAVED]),
        Row.info(section, "from queued to told", f"{answered_in:.1f} s"),
        Row.check(section, "entities stored for it", len(stored), not stored),
        Row.check(
            section, "messages left on the poison queue", stack.waiting("-poison"), stack.waiting("-poison") == 0
        ),
        *accounting(section, figures),
    ]


def _said(texts: list[str]) -> str:
    """What the user read, by its end: every failure message starts "Sorry, something went wrong"."""
    if not texts:
        return "nothing"
    return " | ".join(f'"…{text[-52:]}"' if len(text) > 52 else f'"{text}"' for text in texts)


# --- A crashed worker's log, redelivered after a clear -----------------------------------------------------

HELD_LEASE_SECONDS = 10  # a crashed worker's message stays away this long: time enough for the clear to run


def log_redelivered_after_clear(stack: Stack, people: People) -> list[Row]:
    """The worker stores a log and dies before deleting its message (its answer was being retried); the user
    clears; then the message comes back. A clear must leave nothing, even then."""
    section = "worker killed after storing a log, the user clears, the log's message comes back"
    held = HostProcess(
        stack.worker.env,
        stack.worker.logs,
        (
            "--functions",
            WORKER_FUNCTIONS,
            "--message-lease",
            str(HELD_LEASE_SECONDS),
            "--host-json",
            str(stack.folder / "host.json"),
        ),
        name="worker-held",
    )
    stack.worker.stop()
    held.start()
    user = people.add_user()
    log, clear = people.log(user), people.clear(user)
    caller = Caller(stack.workspace, stack.http.port, stack.slack.url)
    owner = caller.owner(user.id)

    def entities() -> int:
        return sum(1 for entity in stack.entities() if entity["PartitionKey"] == owner)

    def delivered(command: Command) -> bool:
        return bool(Answers.of(stack.slack.calls()).delivered(command.ref))

    try:
        # The answer to the log meets a 429 with a long Retry-After: its invocation waits, entries stored.
        stack.slack.fail_next(Failure(429, {"Retry-After": str(HELD_LEASE_SECONDS + 5)}), user=user.id)
        caller.send(user, log)
        happened(lambda: bool(Answers.of(stack.slack.calls()).hooks.get(log.ref)), timeout=20, every=0.1)
        before = entities()
        held.kill()
        stack.restart_worker()
        caller.send(user, clear)
        happened(lambda: delivered(clear), timeout=20, every=0.1)
        after_clear = entities()
        came_back = happened(lambda: delivered(log), timeout=HELD_LEASE_SECONDS + 20, every=0.2)
        time.sleep(1)
        after_return = entities()
    finally:
        held.kill()
        if stack.worker.process is None or stack.worker.process.poll() is not None:
            stack.restart_worker()
    return [
        Row.info(section, "the user's entities as the worker died", before),
        Row.check(section, "after the clear", after_clear, before > 0 and after_clear == 0),
        Row.check(
            section,
            "after the log's message came back and was run again",
            after_return if came_back else "it did not come back",
            came_back and after_return == 0,
        ),
    ]
