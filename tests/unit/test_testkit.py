"""testkit, what the tests, the local runner, the reliability harness and the benchmarks share: it sits
below the local runner, so that none of them pulls the runner in through it; and its one wait."""

from __future__ import annotations

import ast
import itertools
import time
from pathlib import Path

import pytest

from testkit.waiting import WaitTimedOut, happened, wait_until

TESTKIT = Path(__file__).resolve().parents[2] / "testkit"


def imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            modules.add(node.module)
    return modules


def test_testkit_imports_nothing_from_the_local_runner() -> None:
    sources = sorted(TESTKIT.glob("*.py"))
    assert len(sources) > 1  # the scan found the package
    upward = {
        f"{path.name}: {module}"
        for path in sources
        for module in imported_modules(path)
        if module.split(".")[0] in {"local", "tests", "prove", "bench", "deploy"}
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
