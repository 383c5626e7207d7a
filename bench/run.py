"""``make bench``: every figure of issue 5 in one run on one machine, printed as one table.

    python -m bench.run [--quick] [--write BENCHMARKS.md]

The full run takes a few minutes; ``--quick`` (``make bench QUICK=1``) shrinks every repetition and size so
that CI proves the script works in seconds. A quick run judges no speed: it exits 0 whatever the ratios,
and non-zero only when something crashes or a command is lost. A full run exits 2 when it misses a goal.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench import figures, throughput
from bench.env import Bench, bench_environment
from bench.findings import results_file
from bench.report import Machine, Row, table


def measure(sizes: figures.Sizes, progress: Callable[[str], None]) -> list[Row]:
    progress("cold start")
    rows = figures.cold_start(sizes.cold)  # before Azurite starts: nothing else busy on the machine
    with bench_environment() as bench:
        steps: list[tuple[str, Callable[[Bench], list[Row]]]] = [
            ("ack path imports", figures.ack_imports),
            ("ack", lambda b: figures.ack(b, sizes.ack)),
            ("log", lambda b: figures.log(b, sizes.log)),
            ("view", lambda b: figures.view(b, sizes.view_entries, sizes.view)),
            ("clear", lambda b: figures.clear(b, sizes.clear_entries, sizes.clear)),
            ("memory", lambda b: figures.memory(b, sizes.view_entries, sizes.clear_entries)),
            ("throughput", lambda b: throughput.throughput(b, sizes.throughput)),
        ]
        for name, step in steps:
            progress(name)
            bench.slack.reset()
            bench.queue.clear_messages()
            rows.extend(step(bench))
    order = ["ack-median", "ack-p99", "log", "view-list", "view-person", "view-time", "clear", "cold", "ack-imports",
             "throughput", "memory-view", "memory-clear"]  # fmt: skip
    return sorted(rows, key=lambda row: order.index(row.key))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: proves the script works, judges nothing")
    parser.add_argument("--write", type=Path, metavar="FILE", help="also write the results file (BENCHMARKS.md)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("azure").setLevel(logging.ERROR)

    started = time.monotonic()
    load_before = os.getloadavg()

    def progress(step: str) -> None:
        print(f"[{time.monotonic() - started:6.1f} s] {step}…", file=sys.stderr, flush=True)

    sizes = figures.Sizes.quick() if args.quick else figures.Sizes.full()
    rows = measure(sizes, progress)
    progress("done")
    print(table(rows))
    lost = any(row.key == "throughput" and not row.met for row in rows)
    if args.quick:
        print("\nQuick run: sizes too small to judge speed; only a lost command fails it.")
    if args.write:
        args.write.write_text(results_file(rows, Machine.this_one(load_before), quick=args.quick), encoding="utf-8")
        print(f"\nWrote {args.write}.")
    if lost:
        return 1
    return 0 if args.quick or all(row.met for row in rows) else 2


if __name__ == "__main__":
    sys.exit(main())
