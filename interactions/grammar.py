"""The /interactions command grammar: text in, a command out. Pure: no I/O, no clock.

Slack sends the text with ``should_escape`` on, so mentions arrive as ``<@U123>`` or ``<@U123|name>``
and ``& < >`` typed by the user arrive as ``&amp; &lt; &gt;``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum

MAX_PEOPLE = 25
MAX_NAME_LENGTH = 80
MIN_DAYS = 1
MAX_DAYS = 3650
DEFAULT_DAYS = 30

USAGE = (
    "Usage: `/interactions @person +` (or `-`, several people at once) · "
    "`/interactions [days] [person|time] [+|-]` · `/interactions clear` · `/interactions help`"
)

HELP = "\n".join(
    [
        "*Interactions* keeps a private log of who you meet and how it went. Only you see your logs.",
        "",
        "*Log an interaction*, rated `+` or `-` after each person:",
        "• `/interactions @don +`",
        "• `/interactions @don + @Maelle + Random Guy -`: Slack mentions and plain names mixed,"
        f" up to {MAX_PEOPLE} people, names up to {MAX_NAME_LENGTH} characters",
        "",
        "*See your logs*, newest first:",
        f"• `/interactions`: the last {DEFAULT_DAYS} days",
        "• `/interactions 90`: the last 90 days",
        "• `/interactions 90 person`: totals per person",
        "• `/interactions 90 time`: totals per day, week or month",
        "• `/interactions +` or `/interactions -`: only positive or only negative ones",
        "",
        "*Opt out*: `/interactions clear` deletes all of your logs at once, without asking again.",
        "",
        "`/interaction` (singular) works the same way.",
    ]
)

RATING_SIGNS = {"+": 1, "-": -1, "\u2212": -1, "\u2013": -1, "\u2014": -1}
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_OTHER_MENTION = re.compile(r"<[#!][^>]*>")  # channels, @here, user groups: not people
_HTML_ESCAPES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


class Mode(Enum):
    LIST = "list"
    PERSON = "person"
    TIME = "time"


@dataclass(frozen=True)
class Person:
    """Someone met: a Slack user id when ``mention``, else the free-text name as typed."""

    name: str
    mention: bool

    def shown(self) -> str:
        return f"<@{self.name}>" if self.mention else self.name


@dataclass(frozen=True)
class Rated:
    person: Person
    rating: int  # +1 or -1


@dataclass(frozen=True)
class Log:
    entries: tuple[Rated, ...]


@dataclass(frozen=True)
class View:
    days: int = DEFAULT_DAYS
    mode: Mode = Mode.LIST
    rating: int | None = None  # keep only +1 or -1 entries when set


@dataclass(frozen=True)
class Clear:
    pass


@dataclass(frozen=True)
class Help:
    pass


Command = Log | View | Clear | Help


class UsageError(ValueError):
    """The text is not a command; the message says what was not understood, in the user's terms."""


def parse(text: str, caller: str) -> Command:
    """Parse the text of a slash command typed by the Slack user ``caller``."""
    tokens = _tokens(text)
    if not tokens:
        return View()
    first = tokens[0].casefold() if isinstance(tokens[0], str) else None
    for keyword, command in (("help", Help()), ("clear", Clear())):
        if first == keyword:
            if len(tokens) > 1:
                raise UsageError(f"`{keyword}` stands alone, with nothing after it.")
            return command
    if all(isinstance(t, str) and _is_view_option(t) for t in tokens):
        return _view(tokens)  # type: ignore[arg-type]
    return _log(tokens, caller)


Token = str | Person


def _tokens(text: str) -> list[Token]:
    """Split into words and mentions; a rating glued to the end of a word or mention is its own token."""
    tokens: list[Token] = []
    parts = _MENTION.split(unicodedata.normalize("NFC", text))
    for index, part in enumerate(parts):
        if index % 2 == 1:
            tokens.append(Person(part, mention=True))
            continue
        if _OTHER_MENTION.search(part):
            raise UsageError("Only people can be rated: mention them as `@name` or type their name.")
        for word in _unescape(part).split():
            if len(word) > 1 and word[-1] in RATING_SIGNS and word[:-1].strip("".join(RATING_SIGNS)):
                tokens.extend([word[:-1], word[-1]])
            else:
                tokens.append(word)
    return tokens


def _unescape(text: str) -> str:
    for escaped, plain in _HTML_ESCAPES:
        text = text.replace(escaped, plain)
    return text


def _quoted(user_text: str) -> str:
    """User text inside an error message (Slack mrkdwn), shown literally."""
    plain = user_text.replace("`", "'")
    for escaped, char in reversed(_HTML_ESCAPES):
        plain = plain.replace(char, escaped)
    return f"`{plain}`"


def _is_view_option(word: str) -> bool:
    return (word.isascii() and word.isdigit()) or word.casefold() in ("person", "time") or word in RATING_SIGNS


def _view(words: list[str]) -> View:
    days: int | None = None
    mode: Mode | None = None
    rating: int | None = None
    for word in words:
        folded = word.casefold()
        if folded.isdigit():
            if days is not None:
                raise UsageError("Give one number of days, not two.")
            days = int(folded) if len(folded) <= len(str(MAX_DAYS)) else MAX_DAYS + 1  # int() refuses 4300+ digits
            if not MIN_DAYS <= days <= MAX_DAYS:
                raise UsageError(f"The number of days must be from {MIN_DAYS} to {MAX_DAYS}; {_quoted(word)} is not.")
        elif folded in ("person", "time"):
            if mode is not None:
                raise UsageError("Choose one of `person` or `time`, not both.")
            mode = Mode(folded)
        else:
            if rating is not None:
                raise UsageError("Choose one of `+` or `-`, not both.")
            rating = RATING_SIGNS[word]
    return View(days=days or DEFAULT_DAYS, mode=mode or Mode.LIST, rating=rating)


def _log(tokens: list[Token], caller: str) -> Log:
    entries: list[Rated] = []
    name_words: list[str] = []
    pending: Person | None = None
    for token in tokens:
        if isinstance(token, str) and token in RATING_SIGNS:
            person = pending or _named(name_words)
            if person is None:
                raise UsageError(f"`{token}` must follow the person it rates, as in `@don {token}`.")
            entries.append(Rated(person, RATING_SIGNS[token]))
            pending, name_words = None, []
            continue
        if pending is not None:
            raise UsageError(f"{pending.shown()} needs a rating, `+` or `-`, right after it.")
        if isinstance(token, Person):
            if name_words:
                raise UsageError(f"{_quoted(' '.join(name_words))} needs a rating, `+` or `-`, right after it.")
            if token.name == caller:
                raise UsageError("You can't rate an interaction with yourself.")
            pending = token
        else:
            name_words.append(token)
    if pending is not None:
        raise UsageError(f"{pending.shown()} needs a rating, `+` or `-`, right after it.")
    if name_words:
        raise UsageError(f"{_quoted(' '.join(name_words))} needs a rating, `+` or `-`, right after it.")
    if len(entries) > MAX_PEOPLE:
        raise UsageError(f"Log at most {MAX_PEOPLE} people at once; that was {len(entries)}.")
    return Log(tuple(entries))


def _named(words: list[str]) -> Person | None:
    if not words:
        return None
    name = " ".join(words)
    if len(name) > MAX_NAME_LENGTH:
        raise UsageError(f"Names are at most {MAX_NAME_LENGTH} characters; {_quoted(name[:20] + '…')} is longer.")
    return Person(name, mention=False)
