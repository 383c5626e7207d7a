"""The dashboard's views, one entry each: the word that asks for one in a command, its label in the View menu,
what its rows are called, what help says it shows, and what its heading says its totals are by. Help, usage,
the grammar's view words, the menu and the headings are built from this table; every place that handles a
view matches on ``Mode`` with ``assert_never``, so that the type checker names each one a new view must
reach, this table first.

Pure, and light: the grammar reads its words on the ack path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

from interactions.model import DAY_BUCKETS_UP_TO_DAYS, WEEK_BUCKETS_UP_TO_DAYS, Mode


@dataclass(frozen=True)
class ViewMode:
    word: str | None  # what asks for it in a command; None: the view shown when no word is given
    label: str  # its choice in the dashboard's View menu (plain text)
    rows: str  # what its rows are, as in "People 51–100 of 120" (plain text)
    shows: str  # what help says it shows (mrkdwn)
    by: str | None  # what its heading says its totals are by ("" none); None: the period of its rows


def _view_mode(mode: Mode) -> ViewMode:
    match mode:
        case Mode.LIST:
            return ViewMode(None, "List", "Entries", "each interaction", "")
        case Mode.PERSON:
            return ViewMode("person", "By person", "People", "totals per person", "person")
        case Mode.TIME:
            return ViewMode(
                "time",
                "By time",
                "Periods",
                f"totals per day (up to {DAY_BUCKETS_UP_TO_DAYS} days), per week (up to {WEEK_BUCKETS_UP_TO_DAYS}"
                " days) or per month",
                None,
            )
        case _:
            assert_never(mode)


MODES = {mode: _view_mode(mode) for mode in Mode}
# The words a command names a view by, in the table's order.
VIEW_WORDS = {view.word: mode for mode, view in MODES.items() if view.word is not None}
