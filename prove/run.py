"""``make prove``: load, faults, bad input and privacy against the local host on Azurite, as one table.

    python -m prove.run [--quick] [--keep] [--only NAME[,NAME]]

The full run (2,000 commands from 200 users at concurrency 32; each fault under its own load; Undo racing a
redelivery of its log and a clear, 20 rounds of 4 members each; bad input, 600 random commands and 600 random
presses and events; privacy) takes about 4 minutes on 2 cores. ``--quick`` plays every part the same way at a
smaller size (200 commands from 20 users at concurrency 8, each fault under a smaller load, 6 rounds of 3
members, 150 random commands and 200 random presses and events) in under two minutes; CI runs it
through ``prove()``, which returns the figures rather than printing them. Exit status 1 when any figure fails:
a loss, a duplicate, a leak, a 5xx, or any other. ``--keep`` keeps the run's folder (every process's log,
Azurite's data); ``--only`` runs some parts (load, kill, azurite, slack, poison, clear-race, undo-race,
bad-input, press-input, retention, privacy), to work on one.
"""

from __future__ import annotations

import argparse
import json
import logging
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from pathlib import Path

from prove import bad_input, faults, press_input, privacy, retention, steady, undo_race
from prove.env import Stack, stack
from prove.report import Row, failures, table
from prove.traffic import People

PARTS = (
    "load",
    "kill",
    "azurite",
    "slack",
    "poison",
    "clear-race",
    "undo-race",
    "bad-input",
    "press-input",
    "retention",
    "privacy",
)

log = logging.getLogger("prove")


@dataclass(frozen=True)
class Sizes:
    load: steady.Shape
    kill: faults.Paced
    kill_between: int  # commands the worker runs between kills
    azurite: faults.Paced
    slack: faults.Paced
    poison: faults.Paced
    fuzz: int  # random requests at the HTTP front
    press_fuzz: int  # random presses and events at the HTTP front
    undo_rounds: int  # rounds of Undo races, each section
    undo_members: int  # members racing at once in a round

    @classmethod
    def full(cls) -> Sizes:
        return cls(
            load=steady.Shape(commands=2000, users=200, concurrency=32),
            kill=faults.Paced(commands=900, users=90, concurrency=32, rate=40),
            kill_between=40,
            azurite=faults.Paced(commands=600, users=60, concurrency=32, rate=25),
            slack=faults.Paced(commands=300, users=30, concurrency=16, rate=30),
            poison=faults.Paced(commands=200, users=20, concurrency=8, rate=15),
            fuzz=600,
            press_fuzz=600,
            undo_rounds=20,
            undo_members=4,
        )

    @classmethod
    def quick(cls) -> Sizes:
        return cls(
            load=steady.Shape(commands=200, users=20, concurrency=8),
            kill=faults.Paced(commands=300, users=30, concurrency=8, rate=20),
            kill_between=10,
            azurite=faults.Paced(commands=200, users=20, concurrency=8, rate=12),
            slack=faults.Paced(commands=60, users=10, concurrency=8, rate=20),
            poison=faults.Paced(commands=60, users=10, concurrency=8, rate=10),
            fuzz=150,
            press_fuzz=200,
            undo_rounds=6,
            undo_members=3,
        )


class Cast:
    """Everyone the run made up, scenario by scenario, for the privacy check at the end."""

    def __init__(self, run_tag: str) -> None:
        self.run_tag = run_tag
        self.people: list[People] = []

    def make(self, scenario: str, seed: int) -> People:
        people = People.make(f"{self.run_tag}{scenario}", seed)
        self.people.append(people)
        return people


def measure(folder: Path, sizes: Sizes, parts: set[str], progress: Callable[[str], None]) -> list[Row]:
    rows: list[Row] = []
    cast = Cast("R" + secrets.token_hex(2).upper())  # in every id, name and log text the run makes up
    with stack(folder) as world:
        max_dequeue = json.loads((folder / "host.json").read_text())["extensions"]["queues"]["maxDequeueCount"]
        steps: list[tuple[str, Callable[[Stack], list[Row]]]] = [
            ("load", lambda s: steady.load(s, sizes.load, cast.make("LD", 1))),
            ("kill", lambda s: faults.worker_killed(s, cast.make("KW", 2), sizes.kill, between=sizes.kill_between)),
            ("azurite", lambda s: faults.azurite_down(s, cast.make("AZ", 3), sizes.azurite)),
            ("slack", lambda s: faults.slack_failing(s, cast.make("SF", 4), sizes.slack)),
            ("poison", lambda s: faults.poison(s, cast.make("PM", 5), sizes.poison, max_dequeue)),
            ("clear-race", lambda s: faults.log_redelivered_after_clear(s, cast.make("CR", 8))),
            (
                "undo-race",
                lambda s: undo_race.undo_race(s, cast.make("UR", 10), sizes.undo_rounds, sizes.undo_members),
            ),
            ("bad-input", lambda s: bad_input.bad_input(s, cast.make("BI", 6), sizes.fuzz)),
            ("press-input", lambda s: press_input.press_input(s, cast.make("PI", 11), sizes.press_fuzz)),
            ("retention", retention.retention),
            ("privacy", lambda s: privacy.privacy(s, cast.people, cast.make("PV", 7))),
        ]
        for name, step in steps:
            if name in parts:
                progress(name)
                rows.extend(replace(row, part=name) for row in step(world))
        workspace = world.workspace
    if "privacy" in parts:  # now that every process has stopped and written its last line
        rows.extend(replace(row, part="privacy") for row in privacy.logs_check(folder, workspace, cast.people))
    return rows


def prove(sizes: Sizes, parts: Collection[str] = PARTS, keep: bool = False) -> list[Row]:
    """Play the parts named at these sizes and return every figure, in the order measured."""
    folder = Path(tempfile.mkdtemp(prefix="prove-"))
    started = time.monotonic()

    def progress(step: str) -> None:
        print(f"[{time.monotonic() - started:6.1f} s] {step}…", file=sys.stderr, flush=True)
        log.info("Step: %s.", step)

    try:
        with privacy.capture_logging(folder / "logs" / "harness.log"):
            rows = measure(folder, sizes, set(parts), progress)
    finally:
        if keep:
            print(f"Kept {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    progress("done")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m prove.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the CI size: about 1 minute")
    parser.add_argument("--keep", action="store_true", help="keep the run's folder: logs and Azurite's data")
    parser.add_argument(
        "--only",
        type=lambda text: set(text.split(",")),
        default=set(PARTS),
        metavar="NAME[,NAME]",
        help=f"run only these parts: {', '.join(PARTS)}",
    )
    args = parser.parse_args(argv)
    unknown = args.only - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s) {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}")

    started = time.monotonic()
    rows = prove(Sizes.quick() if args.quick else Sizes.full(), args.only, keep=args.keep)
    print(table(rows))
    failed = failures(rows)
    minutes = (time.monotonic() - started) / 60
    print(f"\n{'Quick' if args.quick else 'Full'} run, {minutes:.1f} min: ", end="")
    print(f"{len(failed)} figure(s) FAIL." if failed else "every figure holds.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
