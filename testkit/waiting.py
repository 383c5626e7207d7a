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
    progress: Callable[[], object] | None = None,
) -> T:
    """Call ``condition`` every ``every`` seconds until it returns something true, and return that; after
    ``timeout`` seconds, raise WaitTimedOut naming ``what`` was awaited and, when given, what ``seen``
    returns then (a log's tail, a count). With ``progress``, the timeout counts from the last time its value
    changed: a long wait that goes on as long as something moves. An exception from ``condition`` ends the
    wait at once: a process that exited will not open its port later."""
    return _poll(condition, bool, timeout, what, every, seen, progress)


def wait_for(
    read: Callable[[], T | None],
    timeout: float,
    what: str,
    *,
    every: float = 0.05,
    seen: Callable[[], object] | None = None,
) -> T:
    """As ``wait_until``, for a value that may be false (nothing stored is an empty list): what ``read``
    returns ends the wait unless it is None."""
    return _poll(read, lambda _: True, timeout, what, every, seen, None)


def _poll(
    condition: Callable[[], T | None],
    done: Callable[[T], bool],
    timeout: float,
    what: str,
    every: float,
    seen: Callable[[], object] | None,
    progress: Callable[[], object] | None,
) -> T:
    deadline = time.monotonic() + timeout
    moved = progress() if progress is not None else None
    while True:
        value = condition()
        if value is not None and done(value):
            return value
        if progress is not None and (now := progress()) != moved:
            moved, deadline = now, time.monotonic() + timeout
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            detail = f"; seen: {seen()}" if seen is not None else ""
            over = "did not happen: nothing moved for" if progress is not None else "did not happen within"
            raise WaitTimedOut(f"{what} {over} {timeout:g} s{detail}")
        time.sleep(min(every, remaining))


def happened(
    condition: Callable[[], object],
    timeout: float,
    *,
    every: float = 0.05,
    progress: Callable[[], object] | None = None,
) -> bool:
    """Whether ``condition`` came true within ``timeout`` seconds (with ``progress``, as in ``wait_until``):
    for the reliability harness, which reports a wait that ran out among its figures rather than stopping on
    it."""
    try:
        wait_until(condition, timeout, "the condition", every=every, progress=progress)
    except WaitTimedOut:
        return False
    return True
