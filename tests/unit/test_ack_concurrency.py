"""How the bench chooses the deploy's HTTP per-instance concurrency from the measured ack p95s."""

from __future__ import annotations

from bench.ack_concurrency import choose, worker_threads


def test_the_largest_concurrency_within_target_and_the_worker_threads_is_chosen() -> None:
    p95s = {1: 0.006, 2: 0.012, 4: 0.020, 8: 0.041, 16: 0.071, 32: 0.117}
    assert choose(p95s, threads=6) == 4
    assert choose(p95s, threads=32) == 32
    assert choose({**p95s, 8: 0.9}, threads=32) == 4
    assert choose({1: 2.0, 2: 0.1}, threads=6) == 1


def test_the_worker_thread_pool_follows_its_setting_else_pythons_default() -> None:
    assert worker_threads({"PYTHON_THREADPOOL_THREAD_COUNT": "3"}) == 3
    assert 5 <= worker_threads({}) <= 32
