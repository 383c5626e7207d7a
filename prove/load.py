"""Send users' commands at a fixed concurrency, then wait for the worker to answer them all, and count.

Each user sends their commands in order, without waiting for answers, as people typing quickly would; a
leaver waits for the answers to their earlier commands before their clear, as a person reading "Got it!"
would, and what was stored for them is read just before it (after the clear, nothing may be left).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from azure.core.exceptions import AzureError

from prove.env import Stack
from prove.ledger import Answers, Stored, Tally, tally
from prove.traffic import Ack, Caller, Command, User
from testkit.waiting import happened, wait_for

log = logging.getLogger("prove.load")

BEFORE_CLEAR_WAIT = 120  # s, for a leaver's answers and the read of what is stored, together


@dataclass
class Pacer:
    """At most ``rate`` sends a second over all threads (None: as fast as the concurrency allows)."""

    rate: float | None
    _next: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self) -> None:
        if self.rate is None:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + 1 / self.rate
        time.sleep(max(0.0, slot - now))


@dataclass
class Load:
    """One run of traffic; ``acks`` fill in as the answers come."""

    stack: Stack
    users: list[User]
    concurrency: int
    rate: float | None = None
    acks: list[Ack] = field(default_factory=list)
    before_clear: list[dict[str, Any]] = field(default_factory=list)  # leavers' entities, just before
    started: float = 0.0
    finished: float = 0.0
    settled_at: float = 0.0  # when the last answer had come and the queue was empty
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def caller(self) -> Caller:
        return Caller(self.stack.workspace, self.stack.http.port, self.stack.slack.url)

    def run(self) -> Load:
        """Send everything; returns once every command has its HTTP answer."""
        slots = threading.BoundedSemaphore(self.concurrency)
        pacer = Pacer(self.rate)
        self.started = time.monotonic()
        threads = [
            threading.Thread(target=self._user, args=(user, slots, pacer), name="user", daemon=True)
            for user in self.users
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.finished = time.monotonic()
        return self

    def start(self) -> threading.Thread:
        """Run in the background (a fault is played meanwhile); join the thread to wait for the sends."""
        thread = threading.Thread(target=self.run, name="load", daemon=True)
        thread.start()
        return thread

    def _user(self, user: User, slots: threading.BoundedSemaphore, pacer: Pacer) -> None:
        caller = self.caller
        mine: list[Ack] = []
        for command in user.commands:
            if user.leaves and command is user.commands[-1]:
                self._before_clear(user, mine)
            pacer.wait()
            with slots:
                ack = caller.send(user, command)
            mine.append(ack)
            with self._lock:
                self.acks.append(ack)

    def _before_clear(self, user: User, mine: list[Ack]) -> None:
        """Waits for the answers, then reads what is stored, both within one limit."""
        refs = [ack.command for ack in mine if ack.acked]
        started = time.monotonic()
        happened(partial(self._answered, refs), BEFORE_CLEAR_WAIT, every=0.25)
        owner = self.caller.owner(user.id)
        errors: list[AzureError] = []

        def read() -> list[dict[str, Any]] | None:
            try:
                table = self.stack.table()
                # Entries only: their RowKeys sort before ":", the rows kept for each person after it.
                query = "PartitionKey eq @o and RowKey lt ':'"
                return [dict(e) for e in table.query_entities(query, parameters={"o": owner})]
            except AzureError as error:
                errors.append(error)  # storage may be down for a while, in a fault
                return None

        entities = wait_for(
            read,
            BEFORE_CLEAR_WAIT - (time.monotonic() - started),
            "the user's entries read before their clear",
            every=0.5,
            seen=lambda: repr(errors[-1]) if errors else "no storage error",
        )
        with self._lock:
            self.before_clear.extend(entities)

    def _answered(self, commands: list[Command]) -> bool:
        answers = Answers.of(self.stack.slack.calls())
        return all(answers.count(command) for command in commands)

    # --- After the sends ---------------------------------------------------------------------------------

    def settle(self, timeout: float = 180, unanswerable: Iterable[str] = ()) -> None:
        """Wait until every acknowledged command was answered and the queue is empty, or until nothing
        has moved for ``timeout`` seconds."""
        skip = set(unanswerable)
        pending = [a.command for a in self.acks if a.acked and a.command.ref not in skip]

        def settled() -> bool:
            nonlocal pending
            answers = Answers.of(self.stack.slack.calls())
            pending = [command for command in pending if not answers.count(command)]
            return not pending and self.stack.waiting() == 0

        if happened(settled, timeout, every=0.5, progress=lambda: len(pending)):
            self.settled_at = time.monotonic()
        else:
            log.warning("Gave up waiting: %d acknowledged command(s) still unanswered.", len(pending))

    def tally(self, unanswerable: frozenset[str] = frozenset()) -> Tally:
        caller = self.caller
        owners = {user.id: caller.owner(user.id) for user in self.users}
        stored = Stored.of([*self.stack.entities(), *self.before_clear])
        answers = Answers.of(self.stack.slack.calls())
        figures = tally(self.acks, owners, stored, answers, self.stack.slack, unanswerable)
        figures.planned = sum(len(user.commands) for user in self.users)
        return figures

    def leavers_left_behind(self) -> int:
        """Entities still stored for users whose last command was a clear that was acknowledged."""
        caller = self.caller
        cleared = {ack.command.user for ack in self.acks if ack.acked and ack.command.kind == "clear"}
        owners = {caller.owner(user) for user in cleared}
        return sum(1 for entity in self.stack.entities() if entity["PartitionKey"] in owners)

    @property
    def seconds(self) -> float:
        return self.finished - self.started
