"""Commands per second end to end through the local Functions host (``python -m local.host``): signed
log commands POSTed at a fixed concurrency, each counted done once the stand-in has its answer and the
table its three entries. A command acknowledged but never answered or stored, or refused, is lost."""

from __future__ import annotations

import logging
import os
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.env import COMMANDS_PATH, LOG_ANSWER, LOG_TEXT, Bench, owner_of, unique
from bench.report import Row, plain_row
from local.host_process import HostProcess
from testkit.waiting import happened

CONCURRENCY = 16
SETTLE_TIMEOUT = 60.0  # how long answers may keep coming after the last acknowledgement


log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Throughput:
    sent: int
    refused: int  # not acknowledged with an empty 200
    unanswered: int
    unstored: int
    seconds: float

    @property
    def lost(self) -> int:
        return self.refused + self.unanswered + self.unstored

    @property
    def per_second(self) -> float:
        return (self.sent - self.lost) / self.seconds


@contextmanager
def warm_host(bench: Bench, user: str) -> Iterator[HostProcess]:
    """``python -m local.host`` with the bench's settings and the project's host.json, started and past a
    first command from ``user`` (it imports the HTTP path); stopped at the end."""
    with tempfile.TemporaryDirectory(prefix="bench-host-") as logs:
        host = HostProcess({**os.environ, **bench.settings()}, Path(logs), ("--drain-seconds", "5"), name="bench")
        try:
            host.start()
            if refusal := send_log(bench, host.url(COMMANDS_PATH), user):
                raise RuntimeError(f"the local host refused a first command: {refusal}\n{tail(host)}")
            bench.slack.wait_for(user, 1)
            yield host
        finally:
            host.stop()


def tail(host: HostProcess, characters: int = 3000) -> str:
    return host.log[-characters:]


def measure(bench: Bench, commands: int) -> Throughput:
    prefix = unique("U0T")  # members new to the table, whatever ran before
    users = [f"{prefix}{index:05d}" for index in range(commands)]
    with warm_host(bench, f"{prefix}WARMUP") as host:
        url = host.url(COMMANDS_PATH)
        start = time.perf_counter()
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            refusals = dict(zip(users, pool.map(lambda user: send_log(bench, url, user), users), strict=True))
        waiting = [user for user in users if refusals[user] is None]
        end = time.perf_counter()

        def answered() -> bool:
            nonlocal waiting, end
            waiting = [user for user in waiting if not bench.slack.shown(user)]
            end = time.perf_counter()
            return not waiting

        happened(answered, SETTLE_TIMEOUT, every=0.01)
        refused = {user: why for user, why in refusals.items() if why is not None}
        if refused or waiting:
            log.warning("Throughput: %d refused (first: %s), %d unanswered. Host log:\n%s", len(refused),
                        next(iter(refused.values()), "-"), len(waiting), tail(host))  # fmt: skip
    right = [
        user
        for user in users
        if user not in refused and [s.payload.get("text") for s in bench.slack.shown(user)] == [LOG_ANSWER]
    ]
    return Throughput(
        sent=commands,
        refused=len(refused),
        unanswered=commands - len(refused) - len(right),
        unstored=sum(1 for user in right if bench.count(owner_of(user)) != 3),
        seconds=end - start,
    )


def send_log(bench: Bench, url: str, user: str, ref: str | None = None) -> str | None:
    """POST one signed 3-person log command, as Slack does (``ref``: see ``Bench.form``); None when
    acknowledged with an empty 200, else what came back instead."""
    body = bench.form(user, LOG_TEXT, ref)
    request = urllib.request.Request(url, data=body, headers=bench.signed(body), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            answer = response.read()
            return None if response.status == 200 and not answer else f"HTTP {response.status} {answer[:200]!r}"
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code}"
    except (urllib.error.URLError, OSError) as error:
        return f"{type(error).__name__}: {error}"


def throughput(bench: Bench, commands: int) -> list[Row]:
    result = measure(bench, commands)
    lost = f"lost {result.lost}" + (
        f" ({result.refused} refused, {result.unanswered} unanswered, {result.unstored} not stored)"
        if result.lost
        else ""
    )
    figure = f"throughput: {commands} log commands via local host, concurrency {CONCURRENCY}"
    return [plain_row("throughput", figure, f"{result.per_second:.1f} cmd/s, {lost}", "lost = 0", result.lost == 0)]
