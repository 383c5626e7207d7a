"""The CSV of an export: its columns, dates, people, and cells a spreadsheet reads as text, never runs."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from interactions.export import COLUMNS, filename, write_csv
from interactions.model import Entry, Person

AT = datetime(2026, 3, 15, 12, 30, 45, 123000, tzinfo=UTC)


def exported(*entries: Entry) -> str:
    out = io.StringIO(newline="")
    assert write_csv(iter(entries), out) == len(entries)
    return out.getvalue()


def rows(*entries: Entry) -> list[list[str]]:
    text = exported(*entries)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def typed(name: str, rating: int = 1) -> Entry:
    return Entry(Person(name, mention=False), rating, AT)


def test_a_header_row_then_one_row_per_entry_in_the_columns_promised() -> None:
    assert rows() == [["date", "slack_user_id", "name", "rating", "note"]]
    assert COLUMNS == ("date", "slack_user_id", "name", "rating", "note")
    assert rows(Entry(Person("U0DON", mention=True), 1, AT, "Coffee"), typed("Random Guy", -1))[1:] == [
        ["2026-03-15T12:30:45Z", "U0DON", "", "+", "Coffee"],
        ["2026-03-15T12:30:45Z", "", "Random Guy", "-", ""],
    ]


def test_utf8_with_a_bom_for_excel_and_crlf_rows() -> None:
    text = exported(typed("Zoë 山田"))
    assert text == "\ufeffdate,slack_user_id,name,rating,note\r\n2026-03-15T12:30:45Z,,Zoë 山田,+,\r\n"
    assert list(csv.reader(io.StringIO(text.encode().decode("utf-8-sig"))))[1][2] == "Zoë 山田"


def test_dates_are_iso_8601_in_utc_whatever_zone_they_come_in() -> None:
    paris = AT.astimezone(timezone(timedelta(hours=1)))
    assert rows(Entry(Person("Bob", mention=False), 1, paris))[1][0] == "2026-03-15T12:30:45Z"


@pytest.mark.parametrize(
    ("name", "cell"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1 234", "'+1 234"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTabbed", "'\tTabbed"),
        ("\rReturned", "'\rReturned"),
        ("Ann = Bob", "Ann = Bob"),  # only a first character starts a formula
        ("O'Brien", "O'Brien"),
    ],
)
def test_a_typed_name_a_spreadsheet_would_run_is_kept_as_text(name: str, cell: str) -> None:
    assert rows(typed(name))[1][2] == cell


@pytest.mark.parametrize(
    ("note", "cell"),
    [
        ("=1+2", "'=1+2"),
        ("-- not great", "'-- not great"),
        ("@here next week", "'@here next week"),
        ("\u202e=1+2", "'=1+2"),  # a bidi control first would hide the formula from the check, and reverse text
        ("said \u202eno\u202c twice", "said no twice"),
        ('Lunch, then a walk\n"good"', 'Lunch, then a walk\n"good"'),
    ],
)
def test_a_note_is_exported_as_text_as_a_name_is(note: str, cell: str) -> None:
    assert rows(Entry(Person("U0DON", mention=True), 1, AT, note))[1][4] == cell


@pytest.mark.parametrize(
    "name", ['Dwayne "The Rock" Johnson', "Smith, John", "two\nlines", "semi;colon", '"', ",", "trailing "]
)
def test_commas_quotes_and_newlines_are_quoted_and_read_back_as_typed(name: str) -> None:
    assert rows(typed(name))[1] == ["2026-03-15T12:30:45Z", "", name, "+", ""]


def test_a_mention_is_never_prefixed_and_never_in_the_name_column() -> None:
    assert rows(Entry(Person("U0DON", mention=True), -1, AT))[1] == ["2026-03-15T12:30:45Z", "U0DON", "", "-", ""]


def test_rows_are_written_as_they_stream_past() -> None:
    written: list[int] = []
    out = io.StringIO(newline="")

    def entries() -> Iterator[Entry]:
        for index in range(3):
            written.append(len(out.getvalue()))
            yield typed(f"Person {index}")

    write_csv(entries(), out)
    assert written[0] < written[1] < written[2]  # each row was out before the next entry was read


def test_the_file_is_named_after_the_day_of_the_command() -> None:
    assert filename(AT) == "interactions-2026-03-15.csv"
