"""Acks at a concurrency of 1 to 32 through one Python worker process: signed commands POSTed over HTTP to
one local Functions host process (``python -m local.host``) serving only the slash command's function, as an
instance of Flex's HTTP scale group serves only HTTP functions, with that many requests in flight at once.

The host runs with the thread pool the deploy gives the Python worker (``PYTHON_THREADPOOL_THREAD_COUNT``,
``deploy.config.WORKER_THREADS``): set explicitly, since for Python 3.10 and later the worker's own default
is a single thread for synchronous functions, which would queue every concurrent ack behind the first. The
local host serves each request on a thread of its own, so at concurrencies above the pool it measures no
queueing the worker would have: those figures are shown, but the rule never chooses them.

The rule: the largest concurrency whose p95, and every smaller one's, stays within the budget, and that does
not exceed the worker's threads. The deploy's HTTP per-instance concurrency passes when it is no more than
what this measurement allows."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from bench.env import COMMANDS_PATH, Bench, unique
from bench.report import Row, plain_row
from bench.stats import percentile
from bench.throughput import send_log, tail
from deploy.config import HTTP_PER_INSTANCE_CONCURRENCY, WORKER_THREADS, WORKER_THREADS_SETTING
from local.host_process import HostProcess

CONCURRENCIES = (1, 2, 4, 8, 16, 32)
# A sixth of Slack's 3 seconds (a third of the 1.5 s the slow-ack alert fires at): what the ack may take on
# the instance, leaving the rest to the network between Slack and Azure and to a burst's tail.
BUDGET_P95_SECONDS = 0.5
WARM_UP = 20  # requests before anything is timed: the HTTP path imported, its queue client made
ACK_FUNCTION = "slack_commands"


def worker_threads(env: Mapping[str, str]) -> int:
    """The Python worker's thread pool for synchronous functions, as it reads its setting: the value when
    it is a positive integer, else its default for Python 3.10 and later, one thread."""
    configured = env.get(WORKER_THREADS_SETTING, "")
    return int(configured) if configured.isdigit() and int(configured) > 0 else 1


def choose(p95s: Mapping[int, float], threads: int, budget: float = BUDGET_P95_SECONDS) -> int:
    """The largest concurrency whose p95, and every smaller one's, is within ``budget``, and no more than the
    worker's threads: past them a request waits for a thread, behind an ack that may itself wait on Slack (a
    view's loading modal). At least 1."""
    chosen = 1
    for concurrency in sorted(p95s):
        if p95s[concurrency] > budget or concurrency > threads:
            break
        chosen = concurrency
    return chosen


@contextmanager
def ack_host(bench: Bench, threads: int) -> Iterator[HostProcess]:
    """One local host process serving only the slash command's function, with ``threads`` as the worker's
    pool, started and warmed; stopped at the end."""
    env = {**os.environ, **bench.settings(), WORKER_THREADS_SETTING: str(threads)}
    with tempfile.TemporaryDirectory(prefix="bench-ack-host-") as logs:
        args = ("--functions", ACK_FUNCTION, "--drain-seconds", "2")
        host = HostProcess(env, Path(logs), args, name="bench-ack")
        try:
            host.start()
            url = host.url(COMMANDS_PATH)
            for index in range(WARM_UP):
                if refusal := send_log(bench, url, f"U0CCWARM{index:03d}"):
                    raise RuntimeError(f"the local host refused an ack: {refusal}\n{tail(host)}")
            bench.queue.clear_messages()
            yield host
        finally:
            host.stop()


def p95_at(bench: Bench, url: str, concurrency: int, requests: int) -> float:
    """The p95 of the time from sending a request to its answer, ``concurrency`` of them in flight at once
    (each client sends its next as soon as its last is answered)."""
    prefix = unique(f"U0C{concurrency:02d}")
    latencies: list[float] = []
    refusals: list[str] = []

    def client(index: int) -> None:
        for sent in range(index, requests, concurrency):
            start = time.perf_counter()
            refusal = send_log(bench, url, f"{prefix}{sent:05d}")
            latencies.append(time.perf_counter() - start)
            if refusal:
                refusals.append(refusal)

    with ThreadPoolExecutor(concurrency, thread_name_prefix="client") as clients:
        list(clients.map(client, range(concurrency)))
    bench.queue.clear_messages()
    if refusals:
        raise RuntimeError(f"{len(refusals)} of {requests} acks refused at concurrency {concurrency}: {refusals[0]}")
    return percentile(latencies, 95)


def ack_concurrency(bench: Bench, per_level: int) -> list[Row]:
    threads = worker_threads({WORKER_THREADS_SETTING: str(WORKER_THREADS)})
    with ack_host(bench, threads) as host:
        url = host.url(COMMANDS_PATH)
        p95s = {c: p95_at(bench, url, c, max(per_level, 4 * c)) for c in CONCURRENCIES}
    figures = ", ".join(f"{c}: {p95s[c] * 1000:.0f} ms" for c in CONCURRENCIES)
    chosen = choose(p95s, threads)
    figure = (f"ack p95 by concurrency, HTTP to one host process, worker pool of {threads} threads; the deploy "
              f"sets {HTTP_PER_INSTANCE_CONCURRENCY}")  # fmt: skip
    return [
        plain_row(
            "ack-concurrency",
            figure,
            f"{figures}; allowed: {chosen}",
            f"{HTTP_PER_INSTANCE_CONCURRENCY} ≤ the largest within {BUDGET_P95_SECONDS * 1000:.0f} ms p95 and "
            f"{threads} threads",
            HTTP_PER_INSTANCE_CONCURRENCY <= chosen,
        )
    ]
