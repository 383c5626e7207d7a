"""Acks at a concurrency of 1 to 32 through one Python worker process: the HTTP function run on a thread
pool sized as the Functions Python worker sizes its own (``PYTHON_THREADPOOL_THREAD_COUNT``, else Python's
default of min(32, CPUs + 4)), with that many requests in flight at once. The deploy's HTTP per-instance
concurrency is the largest whose p95 stays within the target, so that a burst waits on a warm instance
rather than scaling out to a cold one, and no request waits for a free thread."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

from bench.env import LOG_TEXT, Bench
from bench.report import Row, plain_row
from bench.stats import percentile
from deploy.config import HTTP_PER_INSTANCE_CONCURRENCY

CONCURRENCIES = (1, 2, 4, 8, 16, 32)
# A third of the alert's 1.5 s: what the ack may take on the instance, leaving the rest to Slack's network.
TARGET_P95_SECONDS = 0.5


def worker_threads(env: Mapping[str, str] = os.environ) -> int:
    """The Python worker's thread pool for synchronous functions."""
    configured = env.get("PYTHON_THREADPOOL_THREAD_COUNT", "")
    return int(configured) if configured.isdigit() and int(configured) > 0 else min(32, (os.cpu_count() or 1) + 4)


def choose(p95s: Mapping[int, float], threads: int, target: float = TARGET_P95_SECONDS) -> int:
    """The largest concurrency whose p95, and every smaller one's, is within ``target``, and no more than the
    worker's threads: past them a request waits for a thread, behind an ack that may itself wait on Slack (a
    view's loading modal). At least 1."""
    chosen = 1
    for concurrency in sorted(p95s):
        if p95s[concurrency] > target or concurrency > threads:
            break
        chosen = concurrency
    return chosen


def p95_at(bench: Bench, concurrency: int, requests: int, threads: int) -> float:
    """The p95 of the time from a request's arrival to its answer, ``concurrency`` of them in flight at once
    (each client sends its next as soon as its last is answered), through a pool of ``threads``."""
    latencies: list[float] = []
    with ThreadPoolExecutor(threads, thread_name_prefix="worker") as worker:

        def client(index: int) -> None:
            for sent in range(index, requests, concurrency):
                request = bench.http_request(f"U0CC{concurrency:02d}{sent:05d}", LOG_TEXT)
                start = time.perf_counter()
                worker.submit(bench.ack, request).result()
                latencies.append(time.perf_counter() - start)

        with ThreadPoolExecutor(concurrency, thread_name_prefix="client") as clients:
            list(clients.map(client, range(concurrency)))
    bench.queue.clear_messages()
    return percentile(latencies, 95)


def ack_concurrency(bench: Bench, per_level: int) -> list[Row]:
    threads = worker_threads()
    for _ in range(20):  # the HTTP path imported and its queue client made before anything is timed
        bench.ack(bench.http_request("U0CCWARM", LOG_TEXT))
    p95s = {c: p95_at(bench, c, max(per_level, 4 * c), threads) for c in CONCURRENCIES}
    figures = ", ".join(f"{c}: {p95s[c] * 1000:.0f} ms" for c in CONCURRENCIES)
    chosen = choose(p95s, threads)
    figure = (f"ack p95 by concurrency, one worker process of {threads} threads; the deploy sets "
              f"{HTTP_PER_INSTANCE_CONCURRENCY}")  # fmt: skip
    return [
        plain_row(
            "ack-concurrency",
            figure,
            f"{figures}; chosen: {chosen}",
            f"p95 at {HTTP_PER_INSTANCE_CONCURRENCY} ≤ {TARGET_P95_SECONDS * 1000:.0f} ms",
            p95s[HTTP_PER_INSTANCE_CONCURRENCY] <= TARGET_P95_SECONDS,
        )
    ]
