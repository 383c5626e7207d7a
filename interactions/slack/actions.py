"""What the app's buttons and menus carry, and what a press of one asks for.

Every control carries, as its value, what pressing it shows: a dashboard state, or the log an Undo removes.
So a press needs nothing remembered between requests, and any worker can carry it out. Values are compact
JSON: a button's value holds at most 2000 characters and a menu option's 150.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeGuard

from interactions.dashboard import PAGE_SIZE, Dashboard
from interactions.model import MAX_DAYS, MAX_NAME_CODE_POINTS, MIN_DAYS, NEGATIVE, POSITIVE, Mode, Person
from interactions.pseudonym import LOG_TAG_LENGTH

UNDO = "undo"
SPAN = "dashboard_span"
VIEW = "dashboard_view"
FILTER = "dashboard_filter"
OLDER = "dashboard_older"
NEWER = "dashboard_newer"
CLEAR = "dashboard_clear"
# Opens the log form (value "" for nobody picked, or ``person_value`` for one person), and the form's own
# controls: the people picker and names field redraw the form as they change; a choice of + or − does not.
OPEN_LOG_FORM = "open_log_form"
FORM_PEOPLE = "log_form_people"
FORM_NAMES = "log_form_names"
FORM_RATING = "log_form_rating"
FORM_DATE = "log_form_date"
FORM_NOTE = "log_form_note"
# The form's callback id, and the shortcuts' that open it.
LOG_FORM = "log_form"
LOG_SHORTCUT = "log_interaction"
MESSAGE_SHORTCUT = "log_from_message"
OPEN_CARD = "open_card"
CARD_OLDER = "card_older"
FORGET_PERSON = "forget_person"
MENUS = (SPAN, VIEW, FILTER)
DASHBOARD_ACTIONS = (*MENUS, OLDER, NEWER)
CARD_ACTIONS = (OPEN_CARD, CARD_OLDER, FORGET_PERSON)
ACTIONS = (UNDO, *DASHBOARD_ACTIONS, CLEAR, *CARD_ACTIONS)
MAX_VALUE_CHARACTERS = 2000  # a button's value; a menu option's is 150
# More entries than a member's span could hold (a hundred a day for ten years is 365,000): what a control's
# totals and page may say, so that no value makes a text longer than Slack takes.
MAX_COUNT = 10_000_000
_TAG = re.compile(f"[0-9a-f]{{{LOG_TAG_LENGTH}}}")
_USER_ID = re.compile("[UW][A-Z0-9]{1,63}")
# What no name the grammar keeps holds: control characters, halves of surrogate pairs, line breaks. Format
# characters are kept: the zero-width joiner makes emoji sequences.
_NOT_IN_NAMES = {"Cc", "Cs", "Zl", "Zp"}
_KEY_CHARACTERS = 64  # a store key: 13 digits, a 32-digit command id, an index, and room to spare


class BadValue(ValueError):
    """A control's value this app did not write: refused, never guessed at."""


@dataclass(frozen=True)
class UndoTarget:
    """The log an Undo button removes: the command, when it was logged, how many entries, and who logged it
    (``interactions.pseudonym.log_tag``)."""

    command_id: str
    at: datetime
    count: int
    owner_tag: str


def dashboard_value(dashboard: Dashboard) -> str:
    fields: dict[str, Any] = {"d": dashboard.days, "m": dashboard.mode.value}
    if dashboard.rating is not None:
        fields["r"] = dashboard.rating
    if dashboard.page:
        fields["p"] = dashboard.page
    if dashboard.start is not None:
        fields["s"] = dashboard.start
    if dashboard.before is not None:
        fields["b"] = dashboard.before
    if dashboard.totals is not None:
        fields["t"] = list(dashboard.totals)
    return _dumps(fields)


def parse_dashboard(value: str) -> Dashboard:
    fields = _loads(value, {"d", "m", "r", "p", "s", "b", "t"})
    days, mode, rating, page = fields.get("d"), fields.get("m"), fields.get("r"), fields.get("p", 0)
    if not (_whole(days) and MIN_DAYS <= days <= MAX_DAYS):
        raise BadValue("days")
    if not (isinstance(mode, str) and mode in {m.value for m in Mode}):
        raise BadValue("mode")
    if not (rating is None or (_whole(rating) and rating in (POSITIVE, NEGATIVE))):
        raise BadValue("rating")
    if not (_whole(page) and 0 <= page <= MAX_COUNT // PAGE_SIZE):
        raise BadValue("page")
    start, before = _key(fields.get("s")), _key(fields.get("b"))
    totals = fields.get("t")
    if totals is not None and not (
        isinstance(totals, list) and len(totals) == 2 and all(_whole(t) and 0 <= t <= MAX_COUNT for t in totals)
    ):
        raise BadValue("totals")
    # A list's later page carries the totals its first page counted, and lies within them: shown as written,
    # a page or totals the app did not write would make its "Entries 51–100 of 120" say anything.
    if Mode(mode) is Mode.LIST and page > 0 and (totals is None or page * PAGE_SIZE >= sum(totals)):
        raise BadValue("page beyond the totals")
    return Dashboard(
        days, Mode(mode), rating, page, start, before, (totals[0], totals[1]) if totals is not None else None
    )


def chosen_value(value: str, chosen: Mapping[str, str]) -> str:
    """What a menu choice shows, with every menu's choice as the view showed them when it was made:
    ``value`` is the option chosen, ``chosen`` each menu's by action_id. Each option is the dashboard
    shown when it was drawn with one control changed; two choices made quickly, before the view shows the
    first, each carry only their own change, and the later one would undo the earlier."""
    shown = parse_dashboard(value)
    span, view, rating = (parse_dashboard(chosen[menu]) if menu in chosen else shown for menu in MENUS)
    return dashboard_value(Dashboard(span.days, view.mode, rating.rating))


def undo_value(target: UndoTarget) -> str:
    at_ms = int(target.at.timestamp() * 1000)
    return _dumps({"c": target.command_id, "a": at_ms, "n": target.count, "o": target.owner_tag})


def parse_undo(value: str) -> UndoTarget:
    fields = _loads(value, {"c", "a", "n", "o"})
    command_id, at_ms, count, owner_tag = fields.get("c"), fields.get("a"), fields.get("n"), fields.get("o")
    if not (isinstance(command_id, str) and 0 < len(command_id) <= 64 and command_id.isalnum()):
        raise BadValue("command")
    if not (_whole(at_ms) and 0 <= at_ms < 10**13):
        raise BadValue("time")
    if not (_whole(count) and 1 <= count <= 100):
        raise BadValue("count")
    if not (isinstance(owner_tag, str) and _TAG.fullmatch(owner_tag)):
        raise BadValue("owner")
    return UndoTarget(command_id, datetime.fromtimestamp(at_ms / 1000, UTC), count, owner_tag)


def person_value(person: Person) -> str:
    """One person, as a control that shows or logs them carries them: a member's user id or a typed name."""
    return _named_value(person, {})


def _named_value(person: Person, fields: dict[str, Any]) -> str:
    # A name as it is, not escaped to ASCII: the longest name's emoji would take 12 characters each, and more
    # than a value holds.
    named = {"u": person.name} if person.mention else {"n": person.name}
    return json.dumps({**named, **fields}, separators=(",", ":"), ensure_ascii=False)


def parse_person(value: str) -> Person:
    return _person(_loads(value, {"u", "n"}))


def parse_log_form_value(value: str) -> Person | None:
    """Whom an ``open_log_form`` button picks: nobody, or one person."""
    return parse_person(value) if value else None


def card_older_value(person: Person, start: str) -> str:
    """A card's next entries: the person's, from the entry keyed ``start`` on."""
    return _named_value(person, {"s": start})


def parse_card_older(value: str) -> tuple[Person, str]:
    fields = _loads(value, {"u", "n", "s"})
    start = _key(fields.pop("s", None))
    if start is None:
        raise BadValue("key")
    return _person(fields), start


def _person(fields: dict[str, Any]) -> Person:
    user_id, name = fields.get("u"), fields.get("n")
    if isinstance(user_id, str) and name is None and _USER_ID.fullmatch(user_id):
        return Person(user_id, mention=True)
    if (
        isinstance(name, str)
        and user_id is None
        and 0 < len(name) <= MAX_NAME_CODE_POINTS
        and name.strip()
        and not any(unicodedata.category(c) in _NOT_IN_NAMES for c in name)
    ):
        return Person(name, mention=False)
    raise BadValue("person")


def _dumps(fields: dict[str, Any]) -> str:
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=True)


def _loads(value: str, known: set[str]) -> dict[str, Any]:
    if len(value) > MAX_VALUE_CHARACTERS:
        raise BadValue("too long")
    try:
        fields = json.loads(value)
    except (ValueError, RecursionError) as error:  # RecursionError: nested deeper than the parser goes
        raise BadValue("not JSON") from error
    if not isinstance(fields, dict) or set(fields) - known:
        raise BadValue("unknown fields")
    return fields


def _whole(value: Any) -> TypeGuard[int]:
    return type(value) is int


def _key(value: Any) -> str | None:
    if value is None:
        return None
    if not (isinstance(value, str) and 0 < len(value) <= _KEY_CHARACTERS and value.replace("-", "").isalnum()):
        raise BadValue("key")
    return value
