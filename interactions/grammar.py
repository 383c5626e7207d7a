"""The /interactions command grammar: text in, a command out, or the mistake that keeps it from being one.
Pure: no I/O, no clock, no wording (the Slack layer words mistakes).

Slack sends the text with ``should_escape`` on, so mentions arrive as ``<@U123>`` or ``<@U123|name>``
and ``& < >`` typed by the user arrive as ``&amp; &lt; &gt;``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from itertools import islice
from typing import TYPE_CHECKING

from interactions.model import (
    DEFAULT_DAYS,
    MAX_DAYS,
    MAX_NAME_CODE_POINTS,
    MAX_NAME_LENGTH,
    MAX_PEOPLE,
    MIN_DAYS,
    NEGATIVE,
    POSITIVE,
    Clear,
    Command,
    Export,
    Help,
    Log,
    Mode,
    Person,
    Rated,
    View,
    without_bidi,
)
from interactions.modes import VIEW_WORDS

if TYPE_CHECKING:
    import regex

RATING_SIGNS = {"+": POSITIVE, "-": NEGATIVE, "\u2212": NEGATIVE, "\u2013": NEGATIVE, "\u2014": NEGATIVE}
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_OTHER_MENTION = re.compile(r"<[#!][^>]*>")  # channels, @here, user groups: not people
# A link Slack made of a typed URL, with the label the member gave it, if any.
_LINK = re.compile(r"<((?:https?|mailto):[^|>\s]*)(?:\|([^>]*))?>")
# A name in double quotes, straight or curly, is a name whatever its words: "Help Desk", "42", "Time".
_QUOTED = re.compile(r'"([^"]*)"|\u201c([^\u201d]*)\u201d')
# What someone may type for a number of days that is not a whole one: -5, 1.5, +7.
_NUMBERISH = re.compile(r"[-+\u2212\u2013\u2014]?\d+(?:[.,]\d+)?")
# Invisible: zero-width and bidi formatting characters (Unicode category Cf).
_INVISIBLE = "Cf"
# What a person sees as one character: an extended grapheme cluster (a letter and its accents, a flag, an
# emoji with its skin tone or a family joined by zero-width joiners). Compiled when first needed, for a name
# longer than MAX_NAME_LENGTH code points: the first ack of a cold worker does without the regex module.
_GRAPHEME = r"\X"
_EXCERPT_GRAPHEMES = 20  # how much of a name too long a mistake shows
# More code points than any emoji sequence has: only a character under a stack of marks (zalgo text) is
# longer, and its excerpt keeps the character and the first marks, so that a mistake stays a short message.
_EXCERPT_GRAPHEME_CODE_POINTS = 16
_HTML_ESCAPES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


# What can be wrong with a command, for the Slack layer to put in words.
@dataclass(frozen=True)
class KeywordNotAlone:
    keyword: str  # "help", "clear" or "export"


@dataclass(frozen=True)
class NotAPerson:
    """A channel, @here or a user group where a person was expected."""


@dataclass(frozen=True)
class TwoDayCounts:
    pass


@dataclass(frozen=True)
class DaysNotWhole:
    typed: str  # "-5", "1.5"


@dataclass(frozen=True)
class DaysOutOfRange:
    typed: str


@dataclass(frozen=True)
class TwoModes:
    pass


@dataclass(frozen=True)
class TwoRatings:
    pass


@dataclass(frozen=True)
class RatingWithoutPerson:
    sign: str


@dataclass(frozen=True)
class NeedsRating:
    person: Person  # a mention, or the words typed without a rating after them


@dataclass(frozen=True)
class OneRatingPerPerson:
    person: Person


@dataclass(frozen=True)
class InvisibleName:
    """A name with nothing visible in it: empty quotes, or only zero-width or bidi control characters."""


@dataclass(frozen=True)
class SelfRating:
    pass


@dataclass(frozen=True)
class TooManyPeople:
    count: int


@dataclass(frozen=True)
class NameTooLong:
    start: str  # the first characters of the name, as whole characters (grapheme clusters)


Mistake = (
    KeywordNotAlone | NotAPerson | TwoDayCounts | DaysNotWhole | DaysOutOfRange | TwoModes | TwoRatings
    | RatingWithoutPerson | NeedsRating | OneRatingPerPerson | InvisibleName | SelfRating | TooManyPeople
    | NameTooLong
)  # fmt: skip


class UsageError(ValueError):
    """The text is not a command; ``mistake`` says what was not understood."""

    def __init__(self, mistake: Mistake) -> None:
        super().__init__(type(mistake).__name__)
        self.mistake = mistake


def parse(text: str, caller: str) -> Command:
    """Parse the text of a slash command typed by the Slack user ``caller``."""
    tokens = _tokens(text)
    if not tokens:
        return View()
    first = tokens[0].casefold() if isinstance(tokens[0], str) and not isinstance(tokens[0], Quoted) else None
    for keyword, command in (("help", Help()), ("clear", Clear()), ("export", Export())):
        if first == keyword:
            if len(tokens) > 1:
                raise UsageError(KeywordNotAlone(keyword))
            return command
    words = [t for t in tokens if isinstance(t, str) and not isinstance(t, Quoted)]
    if len(words) == len(tokens) and all(_is_view_option(w) or _NUMBERISH.fullmatch(w) for w in words):
        return _view(words)
    return _log(tokens, caller)


class Quoted(str):
    """A name typed in double quotes: a name, never a keyword, a view word or a number of days. Next to
    other words it is part of a longer name, quotes and all (``Dwayne "The Rock" Johnson``): ``raw``."""

    raw: str

    def __new__(cls, inner: str, raw: str) -> Quoted:
        quoted = super().__new__(cls, " ".join(inner.split()))
        quoted.raw = raw
        return quoted


Token = str | Quoted | Person


def _tokens(text: str) -> list[Token]:
    """Split into words, quoted names and mentions; a rating glued to the end of a word, a quoted name or a
    mention is its own token."""
    tokens: list[Token] = []
    parts = _MENTION.split(unicodedata.normalize("NFC", text))
    for index, part in enumerate(parts):
        if index % 2 == 1:
            tokens.append(Person(part, mention=True))
            continue
        if _OTHER_MENTION.search(part):
            raise UsageError(NotAPerson())
        part = _unescape(_LINK.sub(lambda link: link.group(2) or link.group(1), part))
        done = 0
        for quoted in _QUOTED.finditer(part):
            tokens.extend(_words(part[done : quoted.start()]))
            inner = quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
            tokens.append(Quoted(inner, quoted.group(0)))
            done = quoted.end()
        tokens.extend(_words(part[done:]))
    return tokens


def _words(text: str) -> list[str]:
    words: list[str] = []
    for word in text.split():
        if len(word) > 1 and word[-1] in RATING_SIGNS and word[:-1].strip("".join(RATING_SIGNS)):
            words.extend([word[:-1], word[-1]])
        elif len(word) > 1 and not word.strip("".join(RATING_SIGNS)):
            words.extend(word)  # "++": signs typed together, each its own
        else:
            words.append(word)
    return words


def _unescape(text: str) -> str:
    for escaped, plain in _HTML_ESCAPES:
        text = text.replace(escaped, plain)
    return text


def _is_view_option(word: str) -> bool:
    if isinstance(word, Quoted):
        return False
    return (word.isascii() and word.isdigit()) or word.casefold() in VIEW_WORDS or word in RATING_SIGNS


def _view(words: list[str]) -> View:
    days: int | None = None
    mode: Mode | None = None
    rating: int | None = None
    for word in words:
        folded = word.casefold()
        if not _is_view_option(word):
            raise UsageError(DaysNotWhole(word))
        if folded.isdigit():
            if days is not None:
                raise UsageError(TwoDayCounts())
            days = int(folded) if len(folded) <= len(str(MAX_DAYS)) else MAX_DAYS + 1  # int() refuses 4300+ digits
            if not MIN_DAYS <= days <= MAX_DAYS:
                raise UsageError(DaysOutOfRange(word))
        elif folded in VIEW_WORDS:
            if mode is not None:
                raise UsageError(TwoModes())
            mode = VIEW_WORDS[folded]
        else:
            if rating is not None:
                raise UsageError(TwoRatings())
            rating = RATING_SIGNS[word]
    # "Time -" or "42 +" may have been meant as a log of someone named so: the answer shows how to log them,
    # with the name and the rating as typed.
    could_be_log = ""
    if rating is not None and (mode is not None or days is not None) and len(words) == 2:
        (name,) = [word for word in words if word not in RATING_SIGNS]
        could_be_log = f'"{name}" {next(word for word in words if word in RATING_SIGNS)}'
    return View(days=days or DEFAULT_DAYS, mode=mode or Mode.LIST, rating=rating, could_be_log=could_be_log)


def _log(tokens: list[Token], caller: str) -> Log:
    entries: list[Rated] = []
    name_words: list[str] = []
    pending: Person | None = None
    just_rated: Person | None = None  # the person the last token rated, while no one else has come
    quoted: Quoted | None = None  # the quoted name pending, which a next word would make part of a name
    for token in tokens:
        if isinstance(token, str) and not isinstance(token, Quoted) and token in RATING_SIGNS:
            person = pending or _named(name_words)
            if person is None:
                raise UsageError(OneRatingPerPerson(just_rated) if just_rated else RatingWithoutPerson(token))
            entries.append(Rated(person, RATING_SIGNS[token]))
            pending, name_words, just_rated, quoted = None, [], person, None
            continue
        just_rated = None
        if quoted is not None and not isinstance(token, Person):
            name_words, pending, quoted = [quoted.raw], None, None  # quotes inside a longer name
        if pending is not None:
            raise UsageError(NeedsRating(pending))
        if isinstance(token, Person):
            if name_words:
                raise UsageError(NeedsRating(Person(_name(" ".join(name_words)), mention=False)))
            if token.name == caller:
                raise UsageError(SelfRating())
            pending = token
        elif isinstance(token, Quoted) and not name_words:
            pending, quoted = _named([token]), token
        else:
            name_words.append(token.raw if isinstance(token, Quoted) else token)
    if pending is not None:
        raise UsageError(NeedsRating(pending))
    if name_words:
        raise UsageError(NeedsRating(Person(_name(" ".join(name_words)), mention=False)))
    if len(entries) > MAX_PEOPLE:
        raise UsageError(TooManyPeople(len(entries)))
    return Log(tuple(entries))


def _named(words: list[str]) -> Person | None:
    """The person a free-text or quoted name stands for, as typed less its bidi controls."""
    if not words:
        return None
    typed = " ".join(words)
    if not "".join(c for c in typed if unicodedata.category(c) != _INVISIBLE).strip():
        raise UsageError(InvisibleName())
    name = _name(typed)
    # Code points are counted as typed, so that a command the grammar takes stays within the request's limit;
    # the length a member is told of counts what they see, with a whole emoji as one character.
    if len(typed) > MAX_NAME_CODE_POINTS or _graphemes(name) > MAX_NAME_LENGTH:
        raise UsageError(NameTooLong(_excerpt(name)))
    return Person(name, mention=False)


def _name(typed: str) -> str:
    return without_bidi(typed).strip()  # a name as typed neither starts nor ends with a space


def _graphemes(text: str) -> int:
    if len(text) <= MAX_NAME_LENGTH:  # never more characters than code points
        return len(text)
    return sum(1 for _ in _grapheme().finditer(text))


@cache
def _grapheme() -> regex.Pattern[str]:
    import regex

    return regex.compile(_GRAPHEME)


def _excerpt(name: str) -> str:
    """The first characters of a name, never half of one: a flag or an emoji sequence is kept whole."""
    starts = islice(_grapheme().finditer(name), _EXCERPT_GRAPHEMES)
    return "".join(match.group()[:_EXCERPT_GRAPHEME_CODE_POINTS] for match in starts)
