"""The results: one row per figure, the table printed and written into the results file's marked section,
and the machine they were measured on."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from bench.env import ROOT


@dataclass(frozen=True)
class Row:
    key: str  # the figure's name whatever its size: run.py orders the rows by it
    figure: str
    ours: str
    floor: str
    ratio: float | None  # None where the figure is not a ratio
    goal: str
    met: bool
    limit: float | None = None  # the goal's largest ratio

    @property
    def shown_ratio(self) -> str:
        if self.ratio is None:
            return "—"
        shown = f"{self.ratio:.2f}"
        if self.limit is not None and shown == f"{self.limit:.2f}":
            shown = f"{self.ratio:.3f}"  # 1.154 misses ≤ 1.15: do not let rounding show it as 1.15
        return shown


def ratio_row(key: str, figure: str, ours: float, floor: float, unit: str, limit: float | None) -> Row:
    """``ours / floor`` against the goal ``≤ limit``; with no limit the ratio is informational, never missed."""
    ratio = ours / floor
    if limit is None:
        return Row(key, figure, _quantity(ours, unit), _quantity(floor, unit), ratio, "none (informational)", True)
    return Row(
        key, figure, _quantity(ours, unit), _quantity(floor, unit), ratio, f"≤ {limit:.2f}", ratio <= limit, limit
    )


def plain_row(key: str, figure: str, ours: str, goal: str, met: bool) -> Row:
    """A figure with no floor: a count, a list, a wait."""
    return Row(key, figure, ours, "—", None, goal, met)


def _quantity(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1000:.2f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "KiB":
        return f"{value / 1024:.1f} MiB"
    return f"{value:g} {unit}"


def table(rows: list[Row]) -> str:
    """The results as a Markdown table: what the terminal shows and what BENCHMARKS.md quotes."""
    header = ["figure", "ours", "floor", "ratio", "goal", "met?"]
    body = [
        [row.figure, row.ours, row.floor, row.shown_ratio, row.goal, "yes" if row.met else "**no**"] for row in rows
    ]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |"

    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, body)])


NEAR = 0.95  # a met ratio above this share of its goal is close enough to it for noise to tip it


def close_to_goal(row: Row) -> bool:
    return row.met and row.ratio is not None and row.limit is not None and row.ratio > NEAR * row.limit


# The results file's prose is kept by hand; a run rewrites only what stands between these lines.
BEGIN = "<!-- results: written by `python -m bench.run --write`, the rest of this file by hand -->"
END = "<!-- end of results -->"


def results_section(rows: list[Row], machine: Machine, quick: bool) -> str:
    run = f"- Run: `python -m bench.run {'--quick ' if quick else ''}--write BENCHMARKS.md`"
    return "\n".join(
        [*machine.lines(), run + (" (quick: sizes too small to judge speed)" if quick else ""), "", table(rows)]
    )


def around_results(path: Path) -> tuple[str, str]:
    """What stands before the results section of ``path`` and after it: nothing, for a new file."""
    if not path.exists():
        return "", "\n"
    before, begin, rest = path.read_text(encoding="utf-8").partition(BEGIN)
    _old, end, after = rest.partition(END)
    if not begin or not end:
        raise ValueError(f"{path} has no section for the results: a line {BEGIN!r}, later a line {END!r}")
    return before, after


def write_results(path: Path, section: str) -> None:
    """Put ``section`` between the markers of ``path``, leaving the rest of it as it was."""
    before, after = around_results(path)
    path.write_text(f"{before}{BEGIN}\n{section}\n{END}{after}", encoding="utf-8")


@dataclass(frozen=True)
class Machine:
    cores: int
    cpu: str
    platform: str
    python: str
    azurite: str
    node: str
    packages: str
    date: str
    load_before: tuple[float, float, float]  # what else ran: load average (1, 5, 15 min) as the run began
    app: str  # the commit measured

    @classmethod
    def this_one(cls, load_before: tuple[float, float, float]) -> Machine:
        package = json.loads((ROOT / "node_modules" / "azurite" / "package.json").read_text(encoding="utf-8"))
        return cls(
            cores=os.cpu_count() or 0,
            cpu=_cpu_model(),
            platform=platform.platform(),
            python=f"{platform.python_implementation()} {platform.python_version()}",
            azurite=str(package["version"]),
            node=_node_version(),
            packages=", ".join(
                f"{name} {metadata.version(name)}"
                for name in ("azure-functions", "azure-data-tables", "azure-storage-queue", "slack_sdk")
            ),
            date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            load_before=load_before,
            app=_app_version(),
        )

    def lines(self) -> list[str]:
        return [
            f"- Date: {self.date}",
            f"- Machine: {self.cores} cores ({self.cpu}), {self.platform}",
            f"- Python: {self.python}; {self.packages}",
            f"- App: {self.app}",
            f"- Azurite: {self.azurite} (in memory) on Node.js {self.node}",
            "- Load average as the run began (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in self.load_before),
        ]


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _app_version() -> str:
    """The commit, and whether the app's own files differed from it (read-only git)."""
    git = shutil.which("git")
    if git is None:
        return "unknown commit"
    commit = subprocess.run(  # noqa: S603
        [git, "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    changed = subprocess.run(  # noqa: S603
        [git, "status", "--porcelain", "--", "function_app.py", "interactions", "host.json", "requirements.txt"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return f"commit {commit or 'unknown'}" + (" with uncommitted changes to the app" if changed else "")


def _node_version() -> str:
    node = shutil.which("node")
    if node is None:
        return "unknown"
    result = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)  # noqa: S603
    return result.stdout.strip().lstrip("v") or "unknown"
