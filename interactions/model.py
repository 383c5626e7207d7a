"""The domain: who was met and how it went, the commands a member can give, and the rules they follow.

Pure data and rules; the grammar reads commands into these types, the store keeps entries of them, the
reports add them up, and the Slack layer shows them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from functools import cache

MAX_PEOPLE = 25  # in one log command
MAX_NAME_LENGTH = 80  # characters of a typed name, as a person sees them (grapheme clusters)
# One character can hold any number of code points (marks stacked on a letter): a name also has at most this
# many, so that its size in a request and in storage is bounded.
MAX_NAME_CODE_POINTS = 4 * MAX_NAME_LENGTH
MAX_NOTE_LENGTH = 500  # characters of a log's private note, as a person sees them
MIN_DAYS = 1
MAX_DAYS = 3650  # the longest view
DEFAULT_DAYS = 30
PERCENT_WINDOW_DAYS = 30  # what the percentage after a log counts
PERCENT_WINDOW = timedelta(days=PERCENT_WINDOW_DAYS)
# The time view's periods: days for a span up to this many days, then weeks, then months.
DAY_BUCKETS_UP_TO_DAYS = 14
WEEK_BUCKETS_UP_TO_DAYS = 180
# How long a clear is remembered: longer than every redelivery of a queued command (5 tries, each after at
# most a 10-minute lease), so that a log typed before a clear and carried out after it cannot outlive it.
# A log that waited longer than this is refused rather than risk that.
CLEAR_MEMORY = timedelta(days=1)

POSITIVE = 1
NEGATIVE = -1
# Bidi controls: kept in a name, an override would reverse the text around it wherever the name is shown
# (messages, the dashboard, CSV exports), so they are taken out of names. The zero-width joiner is not one:
# emoji sequences are made with it.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# A run of them alone between spaces goes with one of the spaces, so that no double space is left behind.
_BIDI = rf"(?<=\s)[{BIDI_CONTROLS}]+\s|[{BIDI_CONTROLS}]+"


def without_bidi(name: str) -> str:
    """A name less its bidi controls: as the grammar keeps a typed name, and as one stored before it did is
    shown or exported."""
    if not any(control in name for control in BIDI_CONTROLS):
        return name  # as nearly every name is: the pattern is compiled for the first one that is not
    return _bidi().sub("", name)


@cache
def _bidi() -> re.Pattern[str]:
    return re.compile(_BIDI)


@dataclass(frozen=True)
class Person:
    """Someone met: a Slack user id when ``mention``, else the free-text name as typed."""

    name: str
    mention: bool


def person_key(person: Person) -> str:
    """One person however the member named them: a mention by its user id, a typed name by its text without
    case and with its spaces made single, so that "random guy" and "Random  Guy" are one person. A hash,
    so that it fits in a table key whatever the name holds."""
    identity = f"user:{person.name}" if person.mention else "name:" + " ".join(person.name.casefold().split())
    return hashlib.sha256(identity.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Rated:
    person: Person
    rating: int  # POSITIVE or NEGATIVE


@dataclass(frozen=True)
class Entry:
    """One logged interaction, as stored and read back."""

    person: Person
    rating: int  # POSITIVE or NEGATIVE
    at: datetime  # UTC
    note: str | None = None  # the member's private note on the log this entry belongs to


class Mode(Enum):
    LIST = "list"
    PERSON = "person"
    TIME = "time"


@dataclass(frozen=True)
class Log:
    entries: tuple[Rated, ...]
    note: str | None = None  # private, for each entry of the log


@dataclass(frozen=True)
class View:
    days: int = DEFAULT_DAYS
    mode: Mode = Mode.LIST
    rating: int | None = None  # keep only POSITIVE or NEGATIVE entries when set
    # Typed like a log of someone named by a view word or a number ("Time -", "42 +"): that log as it is
    # typed (`"42" +`), for the answer to show; empty for any other view.
    could_be_log: str = field(default="", compare=False)


@dataclass(frozen=True)
class Card:
    """One person's card: what the member logged of them, first and last met, and their own notes."""

    person: Person


@dataclass(frozen=True)
class Clear:
    pass


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Export:
    """All of the member's entries, of all time, as a CSV file in their direct messages with the app."""


@dataclass(frozen=True)
class LogForm:
    """``/interactions log``: the form that logs without the command's syntax, opened as the command is
    acknowledged."""


Command = Log | View | Card | Clear | Help | Export | LogForm
