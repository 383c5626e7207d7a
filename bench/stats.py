"""Summaries of repeated timings, and the interleaved ours/floor loop that produces them."""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Action = Callable[[], object]


@dataclass
class Samples:
    """Seconds per repetition, ours and the floor's, taken in alternation."""

    ours: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    other_floor: list[float] = field(default_factory=list)  # a second floor's, where one is timed alongside


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], percent: float) -> float:
    """The nearest-rank percentile: a value that was actually observed."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


def p99(values: list[float]) -> float:
    return percentile(values, 99)


def timed(action: Action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def interleaved(
    repetitions: int,
    ours: Callable[[int], Action],
    floor: Callable[[int], Action],
    warmup: int = 0,
    other_floor: Callable[[int], Action] | None = None,
) -> Samples:
    """Time ``ours(i)()`` and ``floor(i)()`` alternately (and ``other_floor(i)()`` where given), changing which
    goes first on every repetition, so drift (Azurite's heap, caches, a busy core) falls on every side alike.
    ``ours(i)`` and ``floor(i)`` prepare a repetition untimed and return the action to time; each side is
    prepared right before it is timed, so that neither runs against what the other's preparation left behind
    (seeded rows, say). The first ``warmup`` repetitions are not kept."""
    samples = Samples()
    named = [("ours", ours), ("floor", floor)] + ([("other_floor", other_floor)] if other_floor else [])
    # The bench's own heap (answers kept by the Slack stand-in, earlier figures) must not make the garbage
    # collections that either side triggers slower: park it where the collector does not look.
    gc.collect()
    gc.freeze()
    try:
        for index in range(warmup + repetitions):
            turn = index % len(named)
            sides = named[turn:] + named[:turn]
            results = {name: timed(prepare(index)) for name, prepare in sides}
            if index >= warmup:
                for name, taken in results.items():
                    getattr(samples, name).append(taken)
    finally:
        gc.unfreeze()
    return samples
