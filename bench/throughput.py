"""Commands per second end to end through the local Functions host (``python -m local.host``): signed
log commands POSTed at a fixed concurrency, each counted done once the stand-in has its answer and the
table its three entries. A command acknowledged but never answered or stored, or refused, is lost."""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from bench.env import LOG_TEXT, Bench, owner_of, signed_headers, unique
from bench.report import Row
from local.azurite import free_port
from local.host import HostError, spawn

CONCURRENCY = 16
ANSWERED = "Got it! You're 67% for positive interactions in the last 30 days."
START_TIMEOUT = 30.0
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


class LocalHost:
    """``python -m local.host`` on a free port, with the bench's settings in its environment."""

    def __init__(self, bench: Bench) -> None:
        self.port = free_port()
        self._log = tempfile.NamedTemporaryFile(prefix="bench-host-", suffix=".log", delete=False)
        try:
            self._process = spawn(
                self.port, ["--drain-seconds", "5"], {**os.environ, **bench.settings()}, self._log, START_TIMEOUT
            )
        except HostError as error:
            raise RuntimeError(f"python -m local.host did not start ({error}):\n{self.log_tail()}") from error

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/slack/commands"

    def log_tail(self, lines: int = 30) -> str:
        with open(self._log.name, encoding="utf-8", errors="replace") as log:
            return "".join(log.readlines()[-lines:])

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._log.close()
        os.unlink(self._log.name)


def measure(bench: Bench, commands: int) -> Throughput:
    prefix = unique("U0T")  # members new to the table, whatever ran before
    users = [f"{prefix}{index:05d}" for index in range(commands)]
    host = LocalHost(bench)
    try:
        if refusal := _send(bench, host.url, f"{prefix}WARMUP"):  # the first request imports the HTTP path
            raise RuntimeError(f"the local host refused a first command: {refusal}\n{host.log_tail()}")
        bench.slack.wait_for(f"{prefix}WARMUP", 1)
        start = time.perf_counter()
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            refusals = dict(zip(users, pool.map(lambda user: _send(bench, host.url, user), users), strict=True))
        waiting = [user for user in users if refusals[user] is None]
        end = time.perf_counter()
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while waiting and time.monotonic() < deadline:
            waiting = [user for user in waiting if not bench.slack.shown(user)]
            end = time.perf_counter()
            time.sleep(0.01)
        refused = {user: why for user, why in refusals.items() if why is not None}
        if refused or waiting:
            log.warning("Throughput: %d refused (first: %s), %d unanswered. Host log:\n%s", len(refused),
                        next(iter(refused.values()), "-"), len(waiting), host.log_tail())  # fmt: skip
    finally:
        host.stop()
    right = [
        user
        for user in users
        if user not in refused and [s.payload.get("text") for s in bench.slack.shown(user)] == [ANSWERED]
    ]
    return Throughput(
        sent=commands,
        refused=len(refused),
        unanswered=commands - len(refused) - len(right),
        unstored=sum(1 for user in right if bench.count(owner_of(user)) != 3),
        seconds=end - start,
    )


def _send(bench: Bench, url: str, user: str) -> str | None:
    """POST one signed 3-person log command, as Slack does; None when acknowledged with an empty 200, else
    what came back instead."""
    body = bench.form(user, LOG_TEXT)
    request = urllib.request.Request(url, data=body, headers=signed_headers(body), method="POST")
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
    return [
        Row(
            key="throughput",
            figure=f"throughput: {commands} log commands via local host, concurrency {CONCURRENCY}",
            ours=f"{result.per_second:.1f} cmd/s, {lost}",
            floor="—",
            ratio=None,
            goal="lost = 0",
            met=result.lost == 0,
        )
    ]
