"""``make bench``: every figure in one run on one machine, printed as one table.

    python -m bench.run [--quick] [--write BENCHMARKS.md] [--only STEP[,STEP]]

The full run takes a few minutes; ``--quick`` (``make bench QUICK=1``) shrinks every repetition and size so
that CI proves the script works in seconds. A quick run judges no speed: it exits 0 whatever the ratios,
and non-zero only when something crashes or a command is lost. A full run exits 2 when it misses a goal.
``--only`` measures some steps (by the names it prints as it goes: ``--only "dashboard page"``), to work on
one; it cannot ``--write``, since the results file holds every figure of one run.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench import ack_concurrency, dashboard, figures, keyless, member_wait, sweep, throughput
from bench.env import Bench, bench_environment
from bench.report import Machine, Row, around_results, close_to_goal, results_section, table, write_results

COLD_START = "cold start"


def steps(sizes: figures.Sizes) -> list[tuple[str, Callable[[Bench], list[Row]]]]:
    """Every step after the cold start, in the order run, by name."""
    return [
        ("ack path imports", figures.ack_imports),
        ("cold first ack", lambda b: figures.cold_first_ack(b, sizes.cold)),
        ("ack", lambda b: figures.ack(b, sizes.ack)),
        ("ack concurrency", lambda b: ack_concurrency.ack_concurrency(b, sizes.ack // 10)),
        ("log", lambda b: figures.log(b, sizes.log)),
        ("view", lambda b: figures.view(b, sizes.view_entries, sizes.view)),
        (
            "dashboard page",
            lambda b: dashboard.dashboard_page(b, sizes.dashboard_entries, sizes.dashboard, sizes.dashboard_first),
        ),
        ("clear", lambda b: figures.clear(b, sizes.clear_entries, sizes.clear)),
        ("memory", lambda b: figures.memory(b, sizes.view_entries, sizes.clear_entries)),
        ("retention sweep", lambda b: sweep.sweep(b, sizes.sweep_entries, sizes.sweep)),
        # The last step to run the app in this process: once the app has made its keyless queue client,
        # its connection-string one no longer works here (they share one retry policy object, and azure-core
        # chains a policy object to the pipeline that was built last).
        ("keyless", lambda b: keyless.keyless(b, sizes.ack, sizes.cold)),
        ("throughput", lambda b: throughput.throughput(b, sizes.throughput)),
        ("member's wait", lambda b: member_wait.member_wait(b, sizes.throughput)),
    ]


def step_names() -> list[str]:
    return [COLD_START, *(name for name, _ in steps(figures.Sizes.quick()))]


def measure(sizes: figures.Sizes, progress: Callable[[str], None], only: set[str] | None = None) -> list[Row]:
    rows: list[Row] = []
    if only is None or COLD_START in only:
        progress(COLD_START)
        rows = figures.cold_start(sizes.cold)  # before Azurite starts: nothing else busy on the machine
    with bench_environment() as bench:
        for name, step in steps(sizes):
            if only is not None and name not in only:
                continue
            progress(name)
            bench.slack.reset()
            bench.queue.clear_messages()
            rows.extend(step(bench))
    order = ["ack-median", "ack-p99", "keyless-ack-median", "keyless-ack-p99", "ack-concurrency", "log", "view-list",
             "view-person", "view-time", "dashboard-page", "dashboard-first", "clear", "sweep", "cold", "first-ack",
             "first-ack-queue-only",
             "keyless-cold",
             "ack-imports", "throughput", "member-wait", "memory-view", "memory-clear"]  # fmt: skip
    return sorted(rows, key=lambda row: order.index(row.key))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: proves the script works, judges nothing")
    parser.add_argument(
        "--write",
        type=Path,
        metavar="FILE",
        help="also write the results into the marked section of FILE (BENCHMARKS.md)",
    )
    parser.add_argument(
        "--only",
        type=lambda text: set(text.split(",")),
        metavar="STEP[,STEP]",
        help=f"measure only these steps: {', '.join(step_names())}",
    )
    args = parser.parse_args(argv)
    if args.only is not None:
        unknown = args.only - set(step_names())
        if unknown:
            parser.error(f"unknown step(s) {', '.join(sorted(unknown))}; choose from {', '.join(step_names())}")
        if args.write:
            parser.error("--only measures part of a run: it cannot --write the results file")
    if args.write:
        try:
            around_results(args.write)  # now rather than after minutes of measuring
        except ValueError as error:
            parser.error(str(error))
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("azure").setLevel(logging.ERROR)

    started = time.monotonic()
    load_before = os.getloadavg()

    def progress(step: str) -> None:
        print(f"[{time.monotonic() - started:6.1f} s] {step}…", file=sys.stderr, flush=True)

    sizes = figures.Sizes.quick() if args.quick else figures.Sizes.full()
    rows = measure(sizes, progress, args.only)
    progress("done")
    print(table(rows))
    lost = any(row.key == "throughput" and not row.met for row in rows)
    if args.quick:
        print("\nQuick run: sizes too small to judge speed; only a lost command fails it.")
    else:
        for row in filter(close_to_goal, rows):
            print(f"\nMet, but within 5% of its goal, where noise can tip it: {row.figure}.")
    if args.write:
        write_results(args.write, results_section(rows, Machine.this_one(load_before), quick=args.quick))
        print(f"\nWrote the results into {args.write}; its prose, why a goal is missed among it, is kept by hand.")
    if lost:
        return 1
    return 0 if args.quick or all(row.met for row in rows) else 2


if __name__ == "__main__":
    sys.exit(main())
