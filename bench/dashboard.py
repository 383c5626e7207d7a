"""One page of the list dashboard, deep in a member's entries, as pressing Older shows it: the dashboard read
through the app's own store (``interactions.dashboard.read``) and rendered as the modal's JSON, against the raw
range read of the same page (one request of 51 rows, as the store reads it). The first page, which also counts
the whole span for its totals, is measured the same way, with the raw count of the span added to its floor."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.env import Bench, BenchFailure, owner_of, seeded_rating, unique
from bench.report import Row, ratio_row
from bench.stats import interleaved, median
from interactions import dashboard
from interactions.model import Mode
from interactions.notes import NoteCipher
from interactions.pseudonym import view_tag
from interactions.reports import Totals
from interactions.settings import Settings
from interactions.slack import texts
from interactions.slack.dashboard import dashboard_modal
from interactions.store import EntryStore, newer_than

SPAN_DAYS = 365  # a choice of the span menu; the entries are spread over the 300 days before now
SEEDED_DAYS = 300
PAGE_SELECT = ["RowKey", "Person", "Mention", "Rating", "At"]  # what the store reads of a page's rows
GOAL = 1.3


def dashboard_page(bench: Bench, entries: int, repetitions: int, first_repetitions: int) -> list[Row]:
    """Page ``entries / 100`` (the middle of the member's entries: page 100 of 10,000), as Older asks for it,
    against the raw read of its 51 rows; then the first page, against that read and the raw count of the span."""
    user = unique("U0D")
    owner = owner_of(user)
    now = datetime.now(UTC)
    bench.seed(owner, entries, days=SEEDED_DAYS, now=now)
    since = now - timedelta(days=SPAN_DAYS)
    keys = [row["RowKey"] for row in _raw_rows(bench, owner, since, None, ["RowKey"], None)]
    if len(keys) != entries:
        raise BenchFailure(f"the seeded member has {len(keys)} entries in the span, not {entries}")
    totals = Totals()
    for index in range(entries):
        totals.add(seeded_rating(index))
    number = entries // (2 * dashboard.PAGE_SIZE)
    deep = dashboard.Dashboard(
        SPAN_DAYS,
        Mode.LIST,
        page=number,
        start=keys[number * dashboard.PAGE_SIZE],
        totals=(totals.positive, totals.negative),
    )
    settings = Settings.from_env()
    # As the queue function makes it.
    store = EntryStore.connect(settings.storage, bench.table_name, NoteCipher(settings.pseudonym_key))
    store.ensure_table()
    shown: list[dict[str, Any]] = []
    floor_rows: list[list[Any]] = []

    def ours(state: dashboard.Dashboard) -> None:
        page = dashboard.read(store, owner, state, now)
        shown.append(dashboard_modal(page, view_tag(owner, "V0BENCH")).to_dict())

    def floor(start: str | None) -> None:
        floor_rows.append(_raw_rows(bench, owner, since, start, PAGE_SELECT, dashboard.PAGE_SIZE + 1))

    samples = interleaved(repetitions, lambda _: lambda: ours(deep), lambda _: lambda: floor(deep.start), warmup=3)
    _check_page(shown, floor_rows, keys, number, entries)
    figure = f"dashboard: an Older page (page {number}), {entries:,} entries"
    rows = [ratio_row("dashboard-page", figure, median(samples.ours), median(samples.floor), "s", GOAL)]

    shown.clear()
    first = dashboard.Dashboard(SPAN_DAYS, Mode.LIST)

    def first_floor() -> None:
        floor(None)
        if bench.raw_window(owner, since, ["Rating"]) != entries:
            raise BenchFailure("the raw count of the span did not read every entry")

    samples = interleaved(first_repetitions, lambda _: lambda: ours(first), lambda _: first_floor, warmup=1)
    if not all(_position(0, entries) in json.dumps(view, ensure_ascii=False) for view in shown):
        raise BenchFailure("the first page did not count every entry of the span")
    figure = f"dashboard: the first page, counting the span's {entries:,} entries"
    rows.append(ratio_row("dashboard-first", figure, median(samples.ours), median(samples.floor), "s", None))
    return rows


def _raw_rows(
    bench: Bench, owner: str, since: datetime, start: str | None, select: list[str], size: int | None
) -> list[Any]:
    """The raw range read the store makes: the span's rows from ``start`` on; with ``size``, only the first
    page of that many (one request), else every row."""
    query = "PartitionKey eq @owner and RowKey lt @newer_than"
    parameters: dict[str, Any] = {"owner": owner, "newer_than": newer_than(since)}
    if start is not None:
        query += " and RowKey ge @start"
        parameters["start"] = start
    pages = bench.table.query_entities(query, parameters=parameters, select=select, results_per_page=size or 1000)
    if size is None:
        return list(pages)
    return list(next(iter(pages.by_page())))


def _position(page: int, entries: int) -> str:
    first = page * dashboard.PAGE_SIZE + 1
    return texts.position(Mode.LIST, first, first + dashboard.PAGE_SIZE - 1, entries)


def _check_page(
    shown: list[dict[str, Any]], floor_rows: list[list[Any]], keys: list[str], page: int, total: int
) -> None:
    """Both sides read the page asked for: the floor its 51 rows, ours the 50 shown, numbered as such."""
    start = page * dashboard.PAGE_SIZE
    expected = keys[start : start + dashboard.PAGE_SIZE + 1]
    if any([row["RowKey"] for row in rows] != expected for rows in floor_rows):
        raise BenchFailure("the raw read did not return the page's rows")
    position = _position(page, total)
    if not shown or not all(position in json.dumps(view, ensure_ascii=False) for view in shown):
        raise BenchFailure(f"the dashboard did not show {position}")
    older = keys[start + dashboard.PAGE_SIZE]  # the next page's first key, in Older's value
    if not all(older in json.dumps(view) for view in shown):
        raise BenchFailure("the dashboard's Older button does not start at the next page")
