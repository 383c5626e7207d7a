"""The results: one row per figure, the table printed and written, and the machine they were measured on."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata

from bench.env import ROOT


@dataclass(frozen=True)
class Row:
    key: str  # names the figure's analysis in bench/findings.py
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


def ratio_row(key: str, figure: str, ours: float, floor: float, unit: str, limit: float) -> Row:
    ratio = ours / floor
    return Row(
        key, figure, _quantity(ours, unit), _quantity(floor, unit), ratio, f"≤ {limit:.2f}", ratio <= limit, limit
    )


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
