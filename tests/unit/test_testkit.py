"""The layers, each importing only from those below it: the app, testkit (what the tests, the local runner,
the reliability harness and the benchmarks share), the local runner, and what uses them; and testkit's wait."""

from __future__ import annotations

import ast
import itertools
import time
from pathlib import Path

import pytest

from testkit.waiting import WaitTimedOut, happened, wait_for, wait_until

ROOT = Path(__file__).resolve().parents[2]
# Each layer imports only from those below it: the app, then testkit, then the local runner, then what uses them.
ABOVE = {
    "interactions": {"testkit", "local", "tests", "prove", "bench", "deploy"},
    "testkit": {"local", "tests", "prove", "bench", "deploy"},
    "local": {"tests", "prove", "bench", "deploy"},
}


def imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            modules.add(node.module)
    return modules


@pytest.mark.parametrize("layer", sorted(ABOVE))
def test_a_layer_imports_nothing_from_the_layers_above_it(layer: str) -> None:
    sources = sorted((ROOT / layer).rglob("*.py"))
    assert len(sources) > 1  # the scan found the package
    upward = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in sources
        for module in imported_modules(path)
        if module.split(".")[0] in ABOVE[layer]
    }
    assert upward == set()


def test_wait_until_returns_the_conditions_value_once_it_comes() -> None:
    calls = itertools.count(1)

    def third_call() -> str | None:
        return "ready" if next(calls) >= 3 else None

    assert wait_until(third_call, 5, "the third call", every=0.001) == "ready"
    assert next(calls) == 4  # not called again once it held


def test_wait_until_names_what_never_came_and_what_was_seen() -> None:
    started = time.monotonic()
    with pytest.raises(WaitTimedOut, match=r"the queue emptied did not happen within 0.2 s; seen: 3 messages"):
        wait_until(lambda: False, 0.2, "the queue emptied", every=0.01, seen=lambda: "3 messages")
    assert 0.2 <= time.monotonic() - started < 2


def test_a_condition_that_raises_ends_the_wait_at_once() -> None:
    def exited() -> bool:
        raise RuntimeError("the process exited")

    started = time.monotonic()
    with pytest.raises(RuntimeError, match="the process exited"):
        wait_until(exited, 30, "the port opening")
    assert time.monotonic() - started < 1


def test_happened_says_whether_the_condition_came_in_time() -> None:
    assert happened(lambda: True, 1) is True
    assert happened(lambda: 0, 0.05, every=0.01) is False


def test_wait_for_ends_on_a_false_value_but_not_on_none() -> None:
    calls = itertools.count(1)

    def stored() -> list[str] | None:
        return [] if next(calls) >= 3 else None  # None: storage out of reach

    assert wait_for(stored, 5, "the read", every=0.001) == []
    with pytest.raises(WaitTimedOut, match=r"the read did not happen within 0.05 s; seen: refused"):
        wait_for(lambda: None, 0.05, "the read", every=0.01, seen=lambda: "refused")


def test_a_wait_with_progress_goes_on_while_it_moves_and_ends_once_nothing_does() -> None:
    polls = itertools.count(1)
    left = [100]

    def drained() -> bool:
        next(polls)
        left[0] = max(0, left[0] - 1)
        return left[0] == 0

    # A hundred polls, far more than the timeout would allow without the moves.
    assert wait_until(drained, 0.2, "the queue drained", every=0.01, progress=lambda: left[0]) is True
    assert next(polls) == 101
    with pytest.raises(WaitTimedOut, match=r"the queue drained did not happen: nothing moved for 0.05 s"):
        wait_until(lambda: False, 0.05, "the queue drained", every=0.01, progress=lambda: 0)
