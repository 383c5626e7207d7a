"""The harness of issue 4 in its CI size (``python -m prove.run --quick``): load, the four faults, bad input
and privacy against the local host on Azurite. It fails on any loss, duplicate, leak or 5xx."""

from __future__ import annotations

import subprocess
import sys

import pytest

from prove.env import ROOT

pytestmark = pytest.mark.e2e


def test_the_quick_harness_finds_nothing_lost_duplicated_or_leaked() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "prove.run", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert run.returncode == 0, f"{run.stdout}\n{run.stderr[-3000:]}"
    assert "every figure holds" in run.stdout
    for figure in ("lost", "duplicated", "5xx or no HTTP answer", "user ids (callers and mentioned)"):
        assert f"| {figure} " in run.stdout
