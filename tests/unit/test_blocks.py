"""The Block Kit the user sees: valid for Slack, within its limits, and saying how much was left out."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from slack_sdk.models.blocks import Block, ContextBlock, SectionBlock, TextObject

from interactions.model import Entry, Person
from interactions.reports import BucketTotals, Period, PersonTotals, Totals, by_person, by_time, combined
from interactions.slack.blocks import (
    MESSAGE_BLOCKS,
    MODAL_BLOCKS,
    TEXT_CHARACTERS,
    bucket_rows,
    entry_rows,
    loading_modal,
    modal,
    person_rows,
    report,
    summary,
    text_blocks,
)
from interactions.slack.mrkdwn import who
from interactions.slack.texts import HELP, heading, nothing_logged

NOW = datetime(2024, 3, 15, 12, 0, tzinfo=UTC)
EMPTY = nothing_logged(30, None)
MORE = re.compile(r"…and (\d+) more")


def text_of(text: object) -> str:
    assert isinstance(text, TextObject), text
    return text.text


def texts(block: Block) -> list[str]:
    if isinstance(block, SectionBlock):
        return [text_of(block.text)]
    if isinstance(block, ContextBlock):
        return [text_of(element) for element in block.elements]
    raise AssertionError(f"unexpected block {block!r}")


def all_texts(blocks: list[Block]) -> list[str]:
    return [text for block in blocks for text in texts(block)]


def assert_valid_message(blocks: list[Block]) -> None:
    assert 0 < len(blocks) <= MESSAGE_BLOCKS
    for block in blocks:
        block.validate_json()
    assert all(0 < len(text) <= TEXT_CHARACTERS for text in all_texts(blocks))


def assert_valid_modal(blocks: list[Block]) -> None:
    assert 0 < len(blocks) <= MODAL_BLOCKS
    modal(blocks).validate_json()
    for block in blocks:
        block.validate_json()
    assert all(0 < len(text) <= TEXT_CHARACTERS for text in all_texts(blocks))


def shown_rows(blocks: list[Block]) -> list[str]:
    """The report rows visible in the sections between the title (and summary) and "…and N more"."""
    rows: list[str] = []
    for block in blocks[1:]:
        if isinstance(block, SectionBlock):
            rows.extend(text_of(block.text).split("\n"))
    return rows


def more_count(blocks: list[Block]) -> int | None:
    match = MORE.fullmatch(texts(blocks[-1])[0])
    return int(match.group(1)) if match else None


def entries(count: int, minutes_apart: int = 1) -> list[Entry]:
    """Newest first, one person each; every fourth one (i = 0, 4, 8, ...) is negative."""
    return [
        Entry(Person(f"U{i:05d}", mention=True), 1 if i % 4 else -1, NOW - timedelta(minutes=i * minutes_apart))
        for i in range(count)
    ]


# --- Long reports stay within Slack's limits and say how much was left out ----------------------------


@pytest.mark.parametrize(
    ("max_blocks", "assert_valid"), [(MESSAGE_BLOCKS, assert_valid_message), (MODAL_BLOCKS, assert_valid_modal)]
)
def test_5000_entries_fit_and_end_with_how_many_more(
    max_blocks: int, assert_valid: Callable[[list[Block]], None]
) -> None:
    all_rows = list(entry_rows(entries(5000), Totals()))
    totals = Totals()
    blocks = report(heading(3650, None), entry_rows(entries(5000), totals), EMPTY, max_blocks, totals)

    assert_valid(blocks)
    shown = shown_rows(blocks)
    assert shown == all_rows[: len(shown)]  # newest first, none skipped
    assert more_count(blocks) == len(all_rows) - len(shown)
    assert len(shown) > 0


def test_a_modal_shows_more_than_a_message() -> None:
    message = report("t", entry_rows(entries(5000), Totals()), EMPTY, MESSAGE_BLOCKS, Totals())
    in_modal = report("t", entry_rows(entries(5000), Totals()), EMPTY, MODAL_BLOCKS, Totals())
    assert len(shown_rows(in_modal)) > len(shown_rows(message))


def test_5000_people_fit_in_a_modal() -> None:
    people = by_person(entries(5000))
    rows = list(person_rows(people))
    blocks = report(heading(3650, None, "person"), person_rows(people), EMPTY, MODAL_BLOCKS, combined(people))

    assert_valid_modal(blocks)
    shown = shown_rows(blocks)
    assert shown == rows[: len(shown)]
    assert more_count(blocks) == len(rows) - len(shown)


def test_people_with_long_escaped_names_fit_in_a_message() -> None:
    people = by_person(Entry(Person(f"{i:04d}" + "&<>" * 25, mention=False), 1, NOW) for i in range(5000))
    rows = list(person_rows(people))
    blocks = report("People", person_rows(people), EMPTY, MESSAGE_BLOCKS, combined(people))

    assert_valid_message(blocks)
    shown = shown_rows(blocks)
    assert shown == rows[: len(shown)]
    assert more_count(blocks) == len(rows) - len(shown)


def test_many_days_fit_in_a_message() -> None:
    buckets = by_time(entries(5000, minutes_apart=10), Period.DAY)  # 5000 entries over 35 days
    rows = list(bucket_rows(buckets, Period.DAY))
    blocks = report("By day", bucket_rows(buckets, Period.DAY), EMPTY, MESSAGE_BLOCKS, combined(buckets))

    assert_valid_message(blocks)
    assert shown_rows(blocks) == rows  # everything fits: no "…and N more"
    assert more_count(blocks) is None


def test_a_report_that_fits_has_no_more_line() -> None:
    totals = Totals()
    blocks = report("t", entry_rows(entries(3), totals), EMPTY, MESSAGE_BLOCKS, totals)
    assert_valid_message(blocks)
    assert len(shown_rows(blocks)) == 3
    assert not any("more" in text for text in all_texts(blocks))


def test_an_overlong_row_is_cut_to_what_slack_accepts() -> None:
    blocks = report("t", ["x" * 10_000, "short"], EMPTY, MESSAGE_BLOCKS)
    assert_valid_message(blocks)


def test_rows_that_each_fill_a_section_are_counted_exactly() -> None:
    # Rows of 2999 characters take a section each: the title, 47 sections, the summary and "…and N more".
    rows = [f"{i:04d}" + "y" * 2995 for i in range(60)]
    blocks = report("t", rows, EMPTY, MESSAGE_BLOCKS, Totals(60, 0))
    assert_valid_message(blocks)
    assert len(blocks) == MESSAGE_BLOCKS
    assert more_count(blocks) == 60 - len(shown_rows(blocks)) == 60 - (MESSAGE_BLOCKS - 3)


# --- What the report says ------------------------------------------------------------------------------


def test_the_title_comes_first_in_bold() -> None:
    blocks = report(heading(90, 1), ["row"], EMPTY, MESSAGE_BLOCKS)
    assert texts(blocks[0]) == ["*Your positive interactions, the last 90 days*"]


@pytest.mark.parametrize(
    ("days", "rating", "aggregate", "title", "empty"),
    [
        (30, None, "", "Your interactions, the last 30 days", "No interactions logged in the last 30 days."),
        (1, -1, "", "Your negative interactions, the last day", "No negative interactions logged in the last day."),
        (90, 1, "person", "Your positive interactions by person, the last 90 days", None),
    ],
)
def test_headings(days: int, rating: int | None, aggregate: str, title: str, empty: str | None) -> None:
    assert heading(days, rating, aggregate) == title
    if empty is not None:
        assert nothing_logged(days, rating) == empty


def test_nothing_logged_shows_the_empty_text() -> None:
    blocks = report(heading(30, None), iter([]), EMPTY, MESSAGE_BLOCKS, Totals())
    assert_valid_message(blocks)
    assert texts(blocks[-1]) == [EMPTY]
    assert len(blocks) == 2  # no summary of zero interactions


def test_nothing_logged_in_a_modal_validates() -> None:
    assert_valid_modal(report(heading(30, None), [], EMPTY, MODAL_BLOCKS, Totals()))


def test_the_summary_counts_every_streamed_entry_even_those_not_shown() -> None:
    totals = Totals()
    blocks = report("t", entry_rows(entries(5000), totals), EMPTY, MESSAGE_BLOCKS, totals)
    assert texts(blocks[1]) == ["5000 interactions: 3750 `+`, 1250 `−`, 75% positive"]


def test_the_summary_of_a_short_report() -> None:
    ratings = [1, 1, -1, 1]
    totals = Totals()
    streamed = [Entry(Person("Ann", False), r, NOW - timedelta(hours=i)) for i, r in enumerate(ratings)]
    blocks = report("t", entry_rows(streamed, totals), EMPTY, MESSAGE_BLOCKS, totals)
    assert texts(blocks[1]) == ["4 interactions: 3 `+`, 1 `−`, 75% positive"]


def test_summary_of_one_is_singular() -> None:
    assert summary(Totals(1, 0)) == "1 interaction: 1 `+`, 0 `−`, 100% positive"


def test_a_mention_renders_as_a_slack_mention() -> None:
    assert who(Person("U123", mention=True)) == "<@U123>"
    row = next(entry_rows([Entry(Person("U123", True), 1, NOW)], Totals()))
    assert "<@U123> `+`" in row


def test_free_text_names_are_escaped() -> None:
    assert who(Person("A & B <x>", mention=False)) == "A &amp; B &lt;x&gt;"
    row = next(entry_rows([Entry(Person("<@U999> & <!here>", False), -1, NOW)], Totals()))
    assert "&lt;@U999&gt; &amp; &lt;!here&gt; `−`" in row
    assert "<@U999>" not in row
    assert "<!here>" not in row


def test_entry_rows_show_the_time_in_the_readers_zone_with_a_utc_fallback() -> None:
    row = next(entry_rows([Entry(Person("Ann", False), 1, NOW)], Totals()))
    assert f"<!date^{int(NOW.timestamp())}^" in row
    assert "|2024-03-15 12:00 UTC>" in row


def test_person_rows() -> None:
    totals = PersonTotals(positive=2, negative=1, person=Person("Ann", False), last_at=NOW)
    (row,) = person_rows([totals])
    assert row.startswith("Ann · 3 (2 `+`, 1 `−`) · 67% positive · last <!date^")


def test_bucket_rows_label_weeks_and_months() -> None:
    buckets = [BucketTotals(positive=3, negative=1, start=date(2024, 3, 11))]
    (week,) = bucket_rows(buckets, Period.WEEK)
    (month,) = bucket_rows([BucketTotals(positive=0, negative=2, start=date(2024, 3, 1))], Period.MONTH)
    assert week.startswith("`week of 2024-03-11` ")
    assert "4 (3 `+`, 1 `−`) · 75% positive" in week
    assert month.startswith("`2024-03` ")


def test_bucket_bars_scale_to_the_busiest_period() -> None:
    buckets = [
        BucketTotals(positive=10, negative=10, start=date(2024, 3, 2)),
        BucketTotals(positive=5, negative=0, start=date(2024, 3, 1)),
    ]
    busiest, quieter = bucket_rows(buckets, Period.DAY)
    assert "█" * 10 + "░" * 10 + " " in busiest
    assert "█" * 5 + " " in quieter
    assert "░" not in quieter


# --- Plain text and modals -----------------------------------------------------------------------------


def test_help_fits_and_validates() -> None:
    blocks = text_blocks(HELP)
    assert_valid_message(blocks)
    assert_valid_modal(blocks)
    assert "\n".join(all_texts(blocks)) == HELP


def test_long_text_is_split_within_limits() -> None:
    line = "word " * 1000  # 5000 characters on one line
    text = "\n".join([line] * 5)
    blocks = text_blocks(text)
    assert_valid_message(blocks)
    assert "".join(all_texts(blocks)).replace("\n", "") == text.replace("\n", "")


def test_loading_modal_validates() -> None:
    view = loading_modal()
    view.validate_json()
    assert view.type == "modal"
