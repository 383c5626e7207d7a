"""The domain: who was met and how it went, the commands a member can give, and the rules they follow.

Pure data and rules; the grammar reads commands into these types, the store keeps entries of them, the
reports add them up, and the Slack layer shows them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

MAX_PEOPLE = 25  # in one log command
MAX_NAME_LENGTH = 80  # characters of a typed name
MIN_DAYS = 1
MAX_DAYS = 3650  # the longest view
DEFAULT_DAYS = 30
PERCENT_WINDOW_DAYS = 30  # what the percentage after a log counts
# How long a clear is remembered: longer than every redelivery of a queued command (5 tries, each after at
# most a 10-minute lease), so that a log typed before a clear and carried out after it cannot outlive it.
# A log that waited longer than this is refused rather than risk that.
CLEAR_MEMORY = timedelta(days=1)

POSITIVE = 1
NEGATIVE = -1


@dataclass(frozen=True)
class Person:
    """Someone met: a Slack user id when ``mention``, else the free-text name as typed."""

    name: str
    mention: bool


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


class Mode(Enum):
    LIST = "list"
    PERSON = "person"
    TIME = "time"


@dataclass(frozen=True)
class Log:
    entries: tuple[Rated, ...]


@dataclass(frozen=True)
class View:
    days: int = DEFAULT_DAYS
    mode: Mode = Mode.LIST
    rating: int | None = None  # keep only POSITIVE or NEGATIVE entries when set
    # Typed like a log of someone named by a view word or a number ("Time -", "42 +"): the answer says
    # how to log such a name.
    could_be_log: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class Clear:
    pass


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Export:
    """All of the member's entries, of all time, as a CSV file in their direct messages with the app."""


Command = Log | View | Clear | Help | Export
