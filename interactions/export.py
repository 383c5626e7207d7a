"""A member's entries as CSV, for a spreadsheet: pure, writing to the text stream it is given.

UTF-8 starting with a byte order mark, which Excel needs to read UTF-8 rather than the machine's code
page, and which other spreadsheets and csv readers (``encoding="utf-8-sig"``) skip. Rows end in CRLF
(RFC 4180), so the stream must be opened with ``newline=""``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TextIO

from interactions.model import Entry, without_bidi

BOM = "\ufeff"
COLUMNS = ("date", "slack_user_id", "name", "rating", "note")
# A cell starting with one of these is run as a formula by Excel, LibreOffice or Google Sheets (OWASP,
# "CSV Injection"); a leading apostrophe makes such a cell text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SIGNS = {1: "+", -1: "-"}


def write_csv(entries: Iterable[Entry], out: TextIO) -> int:
    """Write the header, then one row per entry as it streams past; returns how many rows."""
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count = 0
    for entry in entries:
        writer.writerow(row(entry))
        count += 1
    return count


def row(entry: Entry) -> tuple[str, str, str, str, str]:
    person = entry.person
    return (
        iso_date(entry.at),
        person.name if person.mention else "",
        "" if person.mention else as_text(without_bidi(person.name)),  # as shown: stored before they were taken out
        _SIGNS[entry.rating],
        as_text(without_bidi(entry.note)) if entry.note else "",
    )


def iso_date(at: datetime) -> str:
    """ISO 8601 in UTC, to the second: ``2026-03-15T12:00:00Z``."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def as_text(cell: str) -> str:
    """A typed name or note as a spreadsheet shows it, never a formula it would run."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def filename(at: datetime) -> str:
    return f"interactions-{at.astimezone(UTC):%Y-%m-%d}.csv"
