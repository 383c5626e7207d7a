"""Each figure: ours, measured by invoking the registered functions with real signed requests
and real queue messages, against its floor, the raw SDK (or urllib) calls the operation cannot avoid, both
against the same Azurite and the same Slack stand-in in the same run, interleaved."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from azure.data.tables import UpdateMode
from azure.storage.queue import QueueClient

from bench.env import LOG_ANSWER, LOG_TEXT, ROOT, Bench, BenchFailure, owner_of, seeded_rating, unique
from bench.report import Row, plain_row, ratio_row
from bench.stats import Action, interleaved, median, p99, timed
from interactions.reports import Totals
from interactions.slack import blocks
from interactions.slack.texts import CLEARED
from interactions.store import row_key

VIEW_SELECT = ["Person", "Mention", "Rating", "At"]  # what a view reads of each entry
VIEW_TEXTS = {"view-list": "90", "view-person": "90 person", "view-time": "90 time"}


@dataclass(frozen=True)
class Sizes:
    """How much each figure repeats, and on how many entries."""

    ack: int
    log: int
    view_entries: int
    view: int
    clear_entries: int
    clear: int
    cold: int
    throughput: int
    sweep_entries: int
    sweep: int
    dashboard_entries: int
    dashboard: int  # repetitions of an Older page
    dashboard_first: int  # repetitions of the first page, which counts the whole span

    @classmethod
    def full(cls) -> Sizes:
        return cls(ack=2000, log=300, view_entries=5000, view=20, clear_entries=10_000, clear=7, cold=40,
                   throughput=500, sweep_entries=100_000, sweep=1, dashboard_entries=10_000, dashboard=200,
                   dashboard_first=10)  # fmt: skip

    @classmethod
    def quick(cls) -> Sizes:
        return cls(ack=60, log=15, view_entries=200, view=3, clear_entries=300, clear=2, cold=3, throughput=32,
                   sweep_entries=2000, sweep=1, dashboard_entries=2000, dashboard=10, dashboard_first=2)  # fmt: skip


def ack(bench: Bench, repetitions: int) -> list[Row]:
    """The HTTP function on a signed 3-person log command, against one raw send_message on its queue."""
    return ack_rows(bench, bench.queue, repetitions, "ack", "ack: HTTP function, signed 3-person log")


def ack_rows(bench: Bench, queue: QueueClient, repetitions: int, key: str, figure: str) -> list[Row]:
    """The ack's median and p99 rows (``<key>-median``, ``<key>-p99``): the HTTP function, with the storage
    settings now in ``os.environ``, against a raw send_message through ``queue``, the queue it sends to."""
    floor_message = bench.queued("U0ACKSAMPLE", LOG_TEXT, queue).decode()  # a real message, for its size
    not_queued: list[int] = []
    warmup = max(5, repetitions // 20)

    def ours(index: int) -> Action:
        if index % 250 == 0:
            queue.clear_messages()  # both sides' messages pile up; keep the queue short
        request = bench.http_request(f"U0ACK{index:05d}", LOG_TEXT)

        def action() -> None:
            if not bench.ack(request):
                not_queued.append(index)  # the member was told to retry or check: kept, it is what they waited

        return action

    def floor(_index: int) -> Action:
        return lambda: queue.send_message(floor_message)

    samples = interleaved(repetitions, ours, floor, warmup=warmup)
    queue.clear_messages()
    if not_queued:
        figure += f" ({len(not_queued)} of {warmup + repetitions} not queued in time)"
    return [
        ratio_row(f"{key}-median", f"{figure}, median", median(samples.ours), median(samples.floor), "s", 1.15),
        ratio_row(f"{key}-p99", f"{figure}, p99", p99(samples.ours), p99(samples.floor), "s", 1.15),
    ]


def log(bench: Bench, repetitions: int) -> list[Row]:
    """The queue function on a 3-person log message (transaction, 30-day percentage, answer POSTed to the
    stand-in), against a raw 3-entity transaction + a raw 30-day range query + a raw POST. Every repetition
    is a member with no earlier entries, on both sides: each writes 3 entities and reads 3 back."""
    users: list[str] = []
    prefix = unique("U0")  # members new to the table, whatever ran before

    def ours(index: int) -> Action:
        user = f"{prefix}L{index:05d}"
        users.append(user)
        message = bench.queued(user, LOG_TEXT)
        return lambda: bench.process(message)

    def floor(index: int) -> Action:
        owner = owner_of(f"{prefix}F{index:05d}")
        now = datetime.now().astimezone()
        command_id = unique("c").lower()
        operations = [
            (
                "upsert",
                {"PartitionKey": owner, "RowKey": row_key(now, command_id, i), "Person": person, "Mention": mention,
                 "Rating": rating, "At": now},
                {"mode": UpdateMode.REPLACE},
            )
            for i, (person, mention, rating) in enumerate(
                [("U0DON", True, 1), ("U0MAELLE", True, 1), ("Random Guy", False, -1)]
            )
        ]  # fmt: skip

        def action() -> None:
            bench.table.submit_transaction(operations)
            bench.raw_window(owner, now - timedelta(days=30), ["Rating"])
            bench.raw_post(f"{prefix}F{index:05d}", LOG_ANSWER)

        return action

    samples = interleaved(repetitions, ours, floor, warmup=max(3, repetitions // 20))
    wrong = [u for u in users if [s.payload.get("text") for s in bench.slack.shown(u)] != [LOG_ANSWER]]
    if wrong:
        raise BenchFailure(
            f"{len(wrong)} log command(s) were not answered with 67%, e.g. {bench.slack.shown(wrong[0])}"
        )
    return [
        ratio_row("log", "log: queue function on that message", median(samples.ours), median(samples.floor), "s", 1.3)
    ]


def view(bench: Bench, entries: int, repetitions: int) -> list[Row]:
    """``/interactions 90``, ``90 person`` and ``90 time`` for a member with ``entries`` entries in the last
    90 days, each against a raw range query of the same rows."""
    user = unique("U0V")
    bench.seed(owner_of(user), entries, days=89)
    return [_view(bench, user, key, text, entries, repetitions) for key, text in VIEW_TEXTS.items()]


def _view(bench: Bench, user: str, key: str, text: str, entries: int, repetitions: int) -> Row:
    message = bench.queued(user, text)
    since = datetime.fromisoformat(json.loads(message)["received_at"]) - timedelta(days=90)
    owner = owner_of(user)
    before = len(bench.slack.shown(user))
    counts: list[int] = []
    samples = interleaved(
        repetitions,
        lambda _: lambda: bench.process(message),
        lambda _: lambda: counts.append(bench.raw_window(owner, since, VIEW_SELECT)),
        warmup=1,
    )
    answers = bench.slack.shown(user)[before:]
    seeded = Totals()
    for index in range(entries):
        seeded.add(seeded_rating(index))
    summary = blocks.summary(seeded)
    if len(answers) != repetitions + 1 or not all(
        summary in json.dumps(a.payload, ensure_ascii=False) for a in answers
    ):
        raise BenchFailure(f"`/interactions {text}` did not answer with a summary of {entries} entries")
    if set(counts) != {entries}:
        raise BenchFailure(f"the raw range query read {sorted(set(counts))} rows, not {entries}")
    figure = f"view: `/interactions {text}`, {entries:,} entries"
    return ratio_row(key, figure, median(samples.ours), median(samples.floor), "s", 1.3)


def clear(bench: Bench, entries: int, repetitions: int) -> list[Row]:
    """``/interactions clear`` of ``entries`` entries, against a raw paged query of the keys whose pages are
    deleted in raw 100-entity transactions. Each side seeds its partition, untimed, right before it is timed."""
    cleared: list[tuple[str, str]] = []
    prefix = unique("U0")

    def ours(index: int) -> Action:
        user = f"{prefix}C{index:03d}"
        bench.seed(owner_of(user), entries, days=300)
        message = bench.queued(user, "clear")
        cleared.append((user, owner_of(user)))
        return lambda: bench.process(message)

    def floor(index: int) -> Action:
        owner = owner_of(f"{prefix}F{index:03d}")
        bench.seed(owner, entries, days=300)
        cleared.append(("", owner))

        def action() -> None:
            if bench.raw_clear(owner) != entries:
                raise BenchFailure("the raw clear did not find every entry")

        return action

    samples = interleaved(repetitions, ours, floor, warmup=0)
    for user, owner in cleared:
        if bench.count(owner):
            raise BenchFailure("entries were left after a clear")
        if user and [s.payload.get("text") for s in bench.slack.shown(user)] != [CLEARED]:
            raise BenchFailure("`/interactions clear` was not answered")
    figure = f"clear: {entries:,} entries"
    return [ratio_row("clear", figure, median(samples.ours), median(samples.floor), "s", 1.2)]


def cold_start(repetitions: int) -> list[Row]:
    """Fresh interpreters importing the app, against fresh interpreters importing azure.functions alone."""

    def python(code: str) -> Action:
        command = [sys.executable, "-c", code]
        return lambda: subprocess.run(command, cwd=ROOT, check=True)  # noqa: S603 - our own interpreter

    for code in ("import function_app", "import azure.functions"):  # fill the OS page cache first
        timed(python(code))
    samples = interleaved(
        repetitions,
        lambda _i: python("import function_app"),
        lambda _i: python("import azure.functions"),
    )
    figure = "cold start: `python -c 'import function_app'`"
    return [ratio_row("cold", figure, median(samples.ours), median(samples.floor), "s", 1.7)]


def first_ack_request(bench: Bench, user: str) -> str:
    """What ``bench.first_ack`` reads: a signed 3-person log, typed by ``user``."""
    body = bench.form(user, LOG_TEXT)
    return json.dumps({"headers": bench.signed(body), "body": body.decode()})


@dataclass(frozen=True)
class FirstAck:
    loaded: list[str]  # the worker-only modules the interpreter held after the ack
    queued: bool  # False: the member was told the command was not (or maybe not) recorded


def first_ack(request: str, env: Mapping[str, str] | None = None) -> FirstAck:
    """A fresh interpreter imports the app and acknowledges one command (``bench.first_ack``), with the
    settings of ``env`` (default: this process's)."""
    result = subprocess.run(
        [sys.executable, "-m", "bench.first_ack"],
        cwd=ROOT,
        env=env,
        input=request,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BenchFailure(f"the first-ack probe failed: {result.stderr.strip()[-800:]}")
    answer = json.loads(result.stdout)
    return FirstAck(loaded=answer["loaded"], queued=answer["queued"])


# The floor's fresh interpreter: the SDKs imported, one message put; argv: connection string, queue, message.
# azure.functions is imported too: the Functions worker imports it before it loads the app, so every cold
# start pays for it whatever the app does (the cold-start row judges the app's import against it alone). The
# informational floor leaves it out, to show the ack's whole cold cost against the queue SDK's alone.
_PUT = (
    "from azure.storage.queue import QueueClient\n"
    "QueueClient.from_connection_string(sys.argv[1], sys.argv[2]).send_message(sys.argv[3])\n"
)
_IMPORT_AND_PUT = "import sys\nimport azure.functions\n" + _PUT
_QUEUE_IMPORT_AND_PUT = "import sys\n" + _PUT  # the queue SDK alone: what a cold ack costs with nothing else


def cold_first_ack(bench: Bench, repetitions: int) -> list[Row]:
    """Fresh interpreters importing the app and acknowledging one command (``bench.first_ack``), against fresh
    interpreters importing azure.functions and the queue SDK and putting one message of the same size on the
    same queue, and (informational) against fresh interpreters importing the queue SDK alone and putting it."""
    message = bench.queued("U0COLDFLOOR", LOG_TEXT).decode()  # a real message, for its size
    not_queued: list[int] = []

    def ours(index: int) -> Action:
        request = first_ack_request(bench, f"U0FIRST{index:05d}")

        def action() -> None:
            if not first_ack(request).queued:
                not_queued.append(index)  # the member was told to retry or check: kept, it is what they waited

        return action

    def put(code: str) -> Callable[[int], Action]:
        command = [sys.executable, "-c", code, bench.connection_string, bench.queue_name, message]
        return lambda _index: lambda: subprocess.run(command, cwd=ROOT, check=True)  # noqa: S603 - our own

    floor, queue_only = put(_IMPORT_AND_PUT), put(_QUEUE_IMPORT_AND_PUT)
    samples = interleaved(repetitions, ours, floor, warmup=1, other_floor=queue_only)  # 1st fills the page cache
    bench.queue.clear_messages()
    figure = "cold first ack ÷ cold import + put"
    if not_queued:
        figure += f" ({len(not_queued)} not queued in time)"
    return [
        ratio_row("first-ack", figure, median(samples.ours), median(samples.floor), "s", 1.2),
        ratio_row(
            "first-ack-queue-only",
            "cold first ack ÷ cold queue SDK import + put",
            median(samples.ours),
            median(samples.other_floor),
            "s",
            None,
        ),
    ]


def ack_imports(bench: Bench) -> list[Row]:
    """What a fresh worker has imported once it has acknowledged one command: nothing of the worker side."""
    probe = first_ack(first_ack_request(bench, "U0IMPORTS"))
    if not probe.queued:
        raise BenchFailure("the first-ack probe's command was not queued")
    loaded = probe.loaded
    bench.queue.clear_messages()
    figure = "ack path imports: `import function_app` + first ack"
    ours = ", ".join(loaded) if loaded else "neither"
    return [plain_row("ack-imports", figure, ours, "no azure.data.tables, no Block Kit", not loaded)]


def memory(bench: Bench, view_entries: int, clear_entries: int) -> list[Row]:
    """The queue worker's peak RSS while it carries out the three views of ``view_entries`` entries, and
    (in another worker) the clear of ``clear_entries``, each divided by that worker's idle RSS."""
    warmup = bench.queued(unique("U0MI"), "90").decode()  # a view of nobody's entries
    viewer, clearer = unique("U0MV"), unique("U0MC")
    bench.seed(owner_of(viewer), view_entries, days=89)
    bench.seed(owner_of(clearer), clear_entries, days=300)
    jobs = {
        "memory-view": (f"memory: worker during the {view_entries:,}-entry views", viewer, list(VIEW_TEXTS.values())),
        "memory-clear": (f"memory: worker during the {clear_entries:,}-entry clear", clearer, ["clear"]),
    }
    rows = []
    for key, (figure, user, texts) in jobs.items():
        messages = [bench.queued(user, text).decode() for text in texts]
        result = subprocess.run(
            [sys.executable, "-m", "bench.worker_memory"],
            cwd=ROOT,
            input=json.dumps({"warmup": warmup, "messages": messages}),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BenchFailure(f"the memory probe failed: {result.stderr.strip()[-800:]}")
        if len(bench.slack.shown(user)) != len(texts):
            raise BenchFailure(f"the memory probe's commands were not all answered ({user})")
        rss = json.loads(result.stdout)
        rows.append(ratio_row(key, figure, rss["peak_kib"], rss["idle_kib"], "KiB", 1.5))
    if bench.count(owner_of(clearer)):
        raise BenchFailure("the memory probe's clear left entries")
    return rows
