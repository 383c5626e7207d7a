"""How the bench chooses the deploy's HTTP per-instance concurrency from the measured ack p95s, and the
worker's thread pool the deploy sets for it."""

from __future__ import annotations

from bench.ack_concurrency import choose, worker_threads
from deploy.config import (
    HTTP_PER_INSTANCE_CONCURRENCY,
    WORKER_THREADS,
    WORKER_THREADS_SETTING,
    Config,
    Names,
    wanted_settings,
)


def test_the_largest_concurrency_within_budget_and_the_worker_threads_is_chosen() -> None:
    p95s = {1: 0.006, 2: 0.012, 4: 0.020, 8: 0.041, 16: 0.071, 32: 0.117}
    assert choose(p95s, threads=6) == 4
    assert choose(p95s, threads=32) == 32
    assert choose({**p95s, 8: 0.9}, threads=32) == 4
    assert choose({1: 2.0, 2: 0.1}, threads=6) == 1


def test_the_worker_thread_pool_follows_its_setting_else_the_workers_default_of_one_thread() -> None:
    assert worker_threads({"PYTHON_THREADPOOL_THREAD_COUNT": "3"}) == 3
    assert worker_threads({"PYTHON_THREADPOOL_THREAD_COUNT": "0"}) == 1
    assert worker_threads({}) == 1


def test_the_deploy_gives_the_worker_enough_threads_for_its_http_concurrency() -> None:
    written = wanted_settings(Names.of(Config("demo", "westeurope")), "https://v/", "c", "i")
    assert worker_threads(written) == WORKER_THREADS >= HTTP_PER_INSTANCE_CONCURRENCY
    assert written[WORKER_THREADS_SETTING] == str(WORKER_THREADS)
