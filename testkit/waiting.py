"""Waiting for something another process or thread brings about: a port opening, a line in a log, a queue
running dry. One poll loop for the tests, the local runner, the reliability harness and the benchmarks, so that
every wait ends the same way: with the condition's value, or with an error naming what never came."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class WaitTimedOut(TimeoutError):
    """What was awaited did not come in time; the message names it, and says what was seen instead."""


def wait_until(
    condition: Callable[[], T | None],
    timeout: float,
    what: str,
    *,
    every: float = 0.05,
    seen: Callable[[], object] | None = None,
) -> T:
    """Call ``condition`` every ``every`` seconds until it returns something true, and return that; after
    ``timeout`` seconds, raise WaitTimedOut naming ``what`` was awaited and, when given, what ``seen``
    returns then (a log's tail, a count). An exception from ``condition`` ends the wait at once: a process
    that exited will not open its port later."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            detail = f"; seen: {seen()}" if seen is not None else ""
            raise WaitTimedOut(f"{what} did not happen within {timeout:g} s{detail}")
        time.sleep(min(every, remaining))


def happened(condition: Callable[[], object], timeout: float, *, every: float = 0.05) -> bool:
    """Whether ``condition`` came true within ``timeout`` seconds: for the reliability harness, which reports
    a wait that ran out among its figures rather than stopping on it."""
    try:
        wait_until(condition, timeout, "the condition", every=every)
    except WaitTimedOut:
        return False
    return True
