"""The log form: who a member picked or named, how each went, when they met and their note, checked as a
command is. Pure: no I/O, no clock, no wording (``interactions.slack.log_form`` builds the form and words
its mistakes).

The form's fields are named here; the Slack layer uses the names as the form's block ids, so that a
mistake is shown under its field.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal

from interactions import grammar
from interactions.model import MAX_NOTE_LENGTH, MAX_PEOPLE, NEGATIVE, POSITIVE, Person, Rated, person_key
from interactions.pseudonym import log_tag

PEOPLE = "people"  # the members picked
NAMES = "names"  # the names typed, of people who are not members
DATE = "date"
NOTE = "note"
RATING_PREFIX = "rating_"  # then the person's key: one choice of + or − per person
RATINGS = {"+": POSITIVE, "-": NEGATIVE}
FORM_TAG_PREFIX = "form/"
# The payload carries no time zone: a date is in the future once it is after today wherever it is today
# (UTC+14), and a year back from wherever it is earliest (UTC-12).
_AHEAD = timedelta(hours=14)
_BEHIND = timedelta(hours=12)
MAX_DAYS_BACK = 365
# What Slack's note field takes is counted in characters; the note is also bounded in code points, as a
# name is, so that its size in a message and in storage is bounded whatever it holds.
MAX_NOTE_CODE_POINTS = 4 * MAX_NOTE_LENGTH


@dataclass(frozen=True)
class Filled:
    """A form as submitted, or as it stands when a person is picked or named."""

    picked: tuple[str, ...] = ()  # user ids
    names: str = ""
    ratings: Mapping[str, str] = field(default_factory=dict)  # "+" or "-" by the rating's field
    met_on: str | None = None  # "YYYY-MM-DD", as the date picker gives it
    note: str = ""


# What can be wrong with a form, by field.
@dataclass(frozen=True)
class Nobody:
    pass


@dataclass(frozen=True)
class Yourself:
    pass


@dataclass(frozen=True)
class BadName:
    mistake: grammar.Mistake


@dataclass(frozen=True)
class TooMany:
    count: int


@dataclass(frozen=True)
class NotRated:
    pass


@dataclass(frozen=True)
class BadDate:
    why: Literal["missing", "future", "too long ago"]


@dataclass(frozen=True)
class NoteTooLong:
    pass


FormMistake = Nobody | Yourself | BadName | TooMany | NotRated | BadDate | NoteTooLong


@dataclass(frozen=True)
class FormLog:
    """A valid form: who was met and how each went, the day met, and the note."""

    rated: tuple[Rated, ...]
    met_on: date
    note: str | None


def rating_field(person: Person) -> str:
    return RATING_PREFIX + person_key(person)


def metadata(owner: str, form_id: str) -> str:
    """What a form carries to say whose it is, known before Slack gives it a view id: a random id of the
    form, and a tag of it only its owner's pseudonym makes (``interactions.pseudonym.log_tag``)."""
    return f"{form_id}.{log_tag(owner, FORM_TAG_PREFIX + form_id)}"


def is_owners(owner: str, carried: str) -> bool:
    form_id, _, tag = carried.partition(".")
    return bool(form_id) and hmac.compare_digest(tag.encode(), log_tag(owner, FORM_TAG_PREFIX + form_id).encode())


def people(filled: Filled, caller: str) -> list[Person]:
    """Everyone the form rates as it stands, once each, in the order picked then named; the caller and names
    the command would refuse are left out (a submission names them as mistakes)."""
    found = [Person(user_id, mention=True) for user_id in filled.picked if user_id != caller]
    found += [named for named in grammar.form_names(filled.names) if isinstance(named, Person)]
    return list({person_key(person): person for person in reversed(found)}.values())[::-1]


def check(filled: Filled, caller: str, received_at: datetime) -> FormLog | dict[str, FormMistake]:
    """The log a submitted form asks for, or its mistakes by field."""
    mistakes: dict[str, FormMistake] = {}
    named = grammar.form_names(filled.names)
    bad = [BadName(mistake) for mistake in named if not isinstance(mistake, Person)]
    if bad:
        mistakes[NAMES] = bad[0]
    if caller in filled.picked:
        mistakes[PEOPLE] = Yourself()
    everyone = people(filled, caller)
    if not everyone and not mistakes:
        mistakes[PEOPLE] = Nobody()
    if len(everyone) > MAX_PEOPLE:
        mistakes[NAMES if filled.names.strip() else PEOPLE] = TooMany(len(everyone))
    rated: list[Rated] = []
    for person in everyone[:MAX_PEOPLE]:
        rating = RATINGS.get(filled.ratings.get(rating_field(person), ""))
        if rating is None:
            # Said under the field the person was picked or named in: only those fields can show a mistake.
            mistakes.setdefault(PEOPLE if person.mention else NAMES, NotRated())
        else:
            rated.append(Rated(person, rating))
    met_on = _met_on(filled.met_on, received_at)
    if isinstance(met_on, BadDate):
        mistakes[DATE] = met_on
    note = filled.note.strip()
    if len(note) > MAX_NOTE_CODE_POINTS or grammar.more_characters_than(note, MAX_NOTE_LENGTH):
        mistakes[NOTE] = NoteTooLong()
    if mistakes or isinstance(met_on, BadDate):
        return mistakes
    return FormLog(tuple(rated), met_on, note or None)


def date_range(received_at: datetime) -> tuple[date, date]:
    """The first and last day a meeting may be logged on."""
    return (received_at - _BEHIND).date() - timedelta(days=MAX_DAYS_BACK), (received_at + _AHEAD).date()


def met_at(met_on: date, received_at: datetime) -> datetime:
    """When the entries of a form's log are kept as met: when it was received, for a meeting today or later
    in UTC (a member ahead of UTC logging today's), else noon UTC of its day, which is that day in most
    zones."""
    if met_on >= received_at.date():
        return received_at
    return datetime.combine(met_on, time(12), received_at.tzinfo)


def _met_on(typed: str | None, received_at: datetime) -> date | BadDate:
    try:
        met_on = date.fromisoformat(typed or "")
    except ValueError:
        return BadDate("missing")
    first, last = date_range(received_at)
    if met_on > last:
        return BadDate("future")
    if met_on < first:
        return BadDate("too long ago")
    return met_on
