"""The property-based suites of bad input, run by pytest (``make test`` runs them in CI; the full harness
runs them too, so that its table holds every figure of issue 4)."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections import Counter
from pathlib import Path

from prove.env import ROOT
from prove.report import Row

SECTION = "3d. Hypothesis suites (pytest)"
SUITES = {
    "tests/unit/test_grammar.py": "grammar: only ever a usage error",
    "tests/integration/test_grammar_round_trip.py": "grammar → storage round trip, on Azurite",
    "tests/e2e/test_http_robustness.py": "HTTP function: no 5xx, unsigned never queued, 401, 413",
    "tests/host/test_bad_input.py": "odd names and malformed messages, through the host",
}


def run(folder: Path) -> list[Row]:
    report = folder / "suites.xml"
    subprocess.run(  # noqa: S603 - our own interpreter and test files
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}", *SUITES],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    outcomes = _outcomes(report) if report.exists() else {}
    rows = []
    for path, what in SUITES.items():
        seen = outcomes.get(path, Counter())
        passed, total = seen["passed"], sum(seen.values())
        rows.append(
            Row.check(SECTION, f"{what} ({path})", f"{passed} of {total} tests pass", total > 0 and passed == total)
        )
    return rows


def _outcomes(report: Path) -> dict[str, Counter[str]]:
    """Per test file, how its tests ended: passed, failed, error or skipped."""
    outcomes: dict[str, Counter[str]] = {}
    for case in ElementTree.parse(report).iter("testcase"):  # noqa: S314 - pytest's own report, just written
        path = str(case.get("classname", "")).split(".")
        module = "/".join(path[: next((i + 1 for i, p in enumerate(path) if p.startswith("test_")), len(path))]) + ".py"
        ended = next((child.tag for child in case if child.tag in ("failure", "error", "skipped")), "passed")
        outcomes.setdefault(module, Counter())[ended] += 1
    return outcomes
