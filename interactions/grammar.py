"""The /interactions command grammar: text in, a command out, or the mistake that keeps it from being one.
Pure: no I/O, no clock, no wording (the Slack layer words mistakes).

Slack sends the text with ``should_escape`` on, so mentions arrive as ``<@U123>`` or ``<@U123|name>``
and ``& < >`` typed by the user arrive as ``&amp; &lt; &gt;``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from itertools import islice
from typing import TYPE_CHECKING

from interactions.model import (
    DEFAULT_DAYS,
    MAX_DAYS,
    MAX_NAME_CODE_POINTS,
    MAX_NAME_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_PEOPLE,
    MIN_DAYS,
    NEGATIVE,
    POSITIVE,
    Card,
    Clear,
    Command,
    Export,
    Help,
    Log,
    LogForm,
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
# The patterns are compiled when a text first needs them (``_pattern``): most commands need one or two, and
# the first ack of a cold worker pays for each one compiled.
# A mention as Slack escapes it; an id longer than Slack's ever are is no mention, but text.
_MENTION = r"<@([UW][A-Z0-9]{1,63})(?:\|[^>]*)?>"
_OTHER_MENTION = r"<[#!][^>]*>"  # channels, @here, user groups: not people
# A link Slack made of a typed URL, with the label the member gave it, if any.
_LINK = r"<((?:https?|mailto):[^|>\s]*)(?:\|([^>]*))?>"
# A name in double quotes, straight or curly, is a name whatever its words: "Help Desk", "42", "Time".
_QUOTED = r'"([^"]*)"|\u201c([^\u201d]*)\u201d'
_QUOTES = '"\u201c'
# What someone may type for a number of days that is not a whole one: -5, 1.5, +7.
_NUMBERISH = r"[-+\u2212\u2013\u2014]?\d+(?:[.,]\d+)?"
# Invisible: zero-width and bidi formatting characters (Unicode category Cf).
_INVISIBLE = "Cf"
# What a person sees as one character: an extended grapheme cluster (a letter and its accents, a flag, an
# emoji with its skin tone or a family joined by zero-width joiners). Compiled when first needed, for a name
# longer than MAX_NAME_LENGTH code points: the first ack of a cold worker does without the regex module.
_GRAPHEME = r"\X"
_EXCERPT_GRAPHEMES = 20  # how much of what was typed a mistake shows
# More code points than any emoji sequence has: only a character under a stack of marks (zalgo text) is
# longer, and its excerpt keeps the character and the first marks, so that a mistake stays a short message.
_EXCERPT_GRAPHEME_CODE_POINTS = 16
_HTML_ESCAPES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))
# What starts a log's private note: a word of two hyphens, which no command read without a note holds (it is two
# ratings in a row), so that a note changes the meaning of nothing typed before notes were.
_NOTE_MARK = r"(?<!\S)--(?!\S)"
# In a note, Slack's markup as a member reads it: a mention stays one, Slack naming the member; a channel, a
# group or a link is its label.
_NOTE_MENTION = r"<@([UW][A-Z0-9]{1,63})(?:\|[^>]*)?>"
_NOTE_MARKUP = r"<([#!@]?)([^>|]*)(?:\|([^>]*))?>"
# A note is at most MAX_NOTE_LENGTH characters; each of them may hold a few code points (emoji, accents).
MAX_NOTE_CODE_POINTS = 4 * MAX_NOTE_LENGTH


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
    typed: str  # "-5", "1.5"; its first characters only, ``cut``, when it is longer than a mistake shows
    cut: bool = False


@dataclass(frozen=True)
class DaysOutOfRange:
    typed: str  # as DaysNotWhole's
    cut: bool = False


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
    person: Person  # a mention, or the words typed without a rating after them (their first characters, ``cut``)
    cut: bool = False
    alone: bool = False  # the words were the whole command: a quoted name alone shows that name's card


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


@dataclass(frozen=True)
class NameTooDense:
    """A name within MAX_NAME_LENGTH characters whose characters hold more than MAX_NAME_CODE_POINTS code
    points in all: emoji sequences, flags, letters under many marks."""

    start: str  # as NameTooLong's


@dataclass(frozen=True)
class NoteTooLong:
    length: int  # characters, as a person sees them


@dataclass(frozen=True)
class NoteWithoutLog:
    """A note after something that is not a log: only a log keeps one."""


Mistake = (
    KeywordNotAlone | NotAPerson | TwoDayCounts | DaysNotWhole | DaysOutOfRange | TwoModes | TwoRatings
    | RatingWithoutPerson | NeedsRating | OneRatingPerPerson | InvisibleName | SelfRating | TooManyPeople
    | NameTooLong | NameTooDense | NoteTooLong | NoteWithoutLog
)  # fmt: skip


class UsageError(ValueError):
    """The text is not a command; ``mistake`` says what was not understood."""

    def __init__(self, mistake: Mistake) -> None:
        super().__init__(type(mistake).__name__)
        self.mistake = mistake


def parse(text: str, caller: str) -> Command:
    """Parse the text of a slash command typed by the Slack user ``caller``: a log may end with ``-- note``."""
    try:
        return without_note(text, caller)
    except UsageError as error:
        noted = _noted(text, caller)
        if noted is None:
            raise error from None
        return noted


def _noted(text: str, caller: str) -> Command | None:
    """A log and its note, for a text that is no command without one: the log is what comes before the first
    ``--`` it is read from, the note all that follows. None when no ``--`` is in the text."""
    first: UsageError | None = None
    for mark in _pattern(_NOTE_MARK).finditer(text):
        try:
            command = without_note(text[: mark.start()], caller)
        except UsageError as error:
            first = first or error
            continue
        if not isinstance(command, Log):
            first = first or UsageError(NoteWithoutLog())
            continue
        return Log(command.entries, _note(text[mark.end() :]))
    if first is not None:
        raise first
    return None


def _note(typed: str) -> str | None:
    """A note as it is kept: Slack's markup read as the member sees it, on one line, without bidi controls."""
    typed = _pattern(_NOTE_MENTION).sub(lambda mention: f"<@{mention.group(1)}>", unicodedata.normalize("NFC", typed))
    kept = _pattern(_NOTE_MARKUP).sub(_note_markup, typed)
    note = without_bidi(" ".join(_unescape(kept).split()))
    if not "".join(c for c in note if unicodedata.category(c) != _INVISIBLE).strip():
        return None
    if _more_graphemes_than(note, MAX_NOTE_LENGTH) or len(note) > MAX_NOTE_CODE_POINTS:
        raise UsageError(NoteTooLong(sum(1 for _ in _grapheme().finditer(note))))
    return note


def _note_markup(markup: re.Match[str]) -> str:
    sigil, target, label = markup.group(1), markup.group(2), markup.group(3)
    if sigil == "@":
        return markup.group(0)  # a mention, kept for Slack to name the member
    if label:
        return label if sigil != "#" or label.startswith("#") else f"#{label}"
    return f"@{target}" if sigil == "!" else target


def without_note(text: str, caller: str) -> Command:
    """What a text means read as commands were before notes: a note's ``--`` is in none of them."""
    tokens = _tokens(text)
    if not tokens:
        return View()
    first = tokens[0].casefold() if isinstance(tokens[0], str) and not isinstance(tokens[0], Quoted) else None
    for keyword, command in (("help", Help()), ("clear", Clear()), ("export", Export())):
        if first == keyword:
            if len(tokens) > 1:
                raise UsageError(KeywordNotAlone(keyword))
            return command
    if first == "log" and len(tokens) == 1:
        return LogForm()  # alone, "log" would be a person without a rating: a mistake until it meant the form
    words = [t for t in tokens if isinstance(t, str) and not isinstance(t, Quoted)]
    if len(words) == len(tokens) and all(_is_view_option(w) or _pattern(_NUMBERISH).fullmatch(w) for w in words):
        return _view(words)
    return _log(tokens, caller)


class Quoted(str):
    """A name typed in double quotes: a name, never a keyword, a view word or a number of days. Next to
    other words it is part of a longer name, quotes and all (``Dwayne "The Rock" Johnson``): ``raw``. Either
    way what is inside the quotes is on one line, its spaces, tabs and line breaks one space each."""

    raw: str

    def __new__(cls, inner: str, opening: str, closing: str) -> Quoted:
        one_line = " ".join(inner.split())
        quoted = super().__new__(cls, one_line)
        quoted.raw = f"{opening}{one_line}{closing}"
        return quoted


Token = str | Quoted | Person


def _tokens(text: str) -> list[Token]:
    """Split into words, quoted names and mentions; a rating glued to the end of a word, a quoted name or a
    mention is its own token."""
    tokens: list[Token] = []
    text = unicodedata.normalize("NFC", text)
    parts = _pattern(_MENTION).split(text) if "<@" in text else [text]
    for index, part in enumerate(parts):
        if index % 2 == 1:
            tokens.append(Person(part, mention=True))
            continue
        if "<" in part:
            if _pattern(_OTHER_MENTION).search(part):
                raise UsageError(NotAPerson())
            part = _pattern(_LINK).sub(lambda link: link.group(2) or link.group(1), part)
        part = _unescape(part)
        if any(quote in part for quote in _QUOTES):
            tokens.extend(_quoted_words(part))
        else:
            tokens.extend(word for typed in part.split() for word in _word(typed))
    return tokens


def _quoted_words(text: str) -> list[Token]:
    """The words of a text with quoted parts. A quoted part between spaces is a quoted name; glued to other
    text (``Jo"hn"ny``, ``=HYPERLINK("http://x","x")``) it is part of that word, which is kept as typed."""
    pieces: list[str | Quoted] = []  # of the word being read
    words: list[list[str | Quoted]] = []
    done = 0
    for match in _pattern(_QUOTED).finditer(text):
        _glue(text[done : match.start()], pieces, words)
        inner = match.group(1) if match.group(1) is not None else match.group(2)
        pieces.append(Quoted(inner, match.group(0)[0], match.group(0)[-1]))
        done = match.end()
    _glue(text[done:], pieces, words)
    if pieces:
        words.append(pieces)
    tokens: list[Token] = []
    for word in (part for glued in words for part in _at_ratings(glued)):
        quoted = [piece for piece in word if isinstance(piece, Quoted)]
        if len(quoted) == 1 and all(isinstance(p, Quoted) or _all_signs(p) for p in word):
            for piece in word:  # "Bob"+: the name, then its rating
                tokens.extend([piece] if isinstance(piece, Quoted) else _word(piece))
            continue
        tokens.extend(_word("".join(piece.raw if isinstance(piece, Quoted) else piece for piece in word)))
    return tokens


def _at_ratings(word: list[str | Quoted]) -> Iterator[list[str | Quoted]]:
    """A word split after each run of rating signs between two quoted parts: ``"Bob"-"Al"+`` is two people
    rated, as each would be typed alone."""
    start = 0
    for index in range(1, len(word) - 1):
        piece = word[index]
        if isinstance(piece, str) and _all_signs(piece):
            if isinstance(word[index - 1], Quoted) and isinstance(word[index + 1], Quoted):
                yield word[start : index + 1]
                start = index + 1
    yield word[start:]


def _glue(text: str, pieces: list[str | Quoted], words: list[list[str | Quoted]]) -> None:
    """Add ``text``, found between quoted parts, to the word being read: what it holds up to its first space
    ends that word, and what follows its last space starts the next."""
    for index, typed in enumerate(text.split()):
        if index > 0 or text[0].isspace():
            _end_word(pieces, words)
        pieces.append(typed)
    if text and text[-1].isspace():
        _end_word(pieces, words)


def _end_word(pieces: list[str | Quoted], words: list[list[str | Quoted]]) -> None:
    if pieces:
        words.append(pieces.copy())
        pieces.clear()


def _all_signs(piece: str) -> bool:
    return all(sign in RATING_SIGNS for sign in piece)


def _word(word: str) -> list[str]:
    """A word typed: a rating glued to its end is a word of its own, and signs typed together are each one."""
    if len(word) > 1 and word[-1] in RATING_SIGNS and not _all_signs(word[:-1]):
        return [word[:-1], word[-1]]
    if len(word) > 1 and _all_signs(word):
        return list(word)  # "++": signs typed together, each its own
    return [word]


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
            raise UsageError(DaysNotWhole(*_shown(word)))
        if folded.isdigit():
            if days is not None:
                raise UsageError(TwoDayCounts())
            days = int(folded) if len(folded) <= len(str(MAX_DAYS)) else MAX_DAYS + 1  # int() refuses 4300+ digits
            if not MIN_DAYS <= days <= MAX_DAYS:
                raise UsageError(DaysOutOfRange(*_shown(word)))
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


def _log(tokens: list[Token], caller: str) -> Log | Card:
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
                raise UsageError(_needs_rating(name_words))
            if token.name == caller:
                raise UsageError(SelfRating())
            pending = token
        elif isinstance(token, Quoted) and not name_words:
            pending, quoted = _named([token]), token
        else:
            name_words.append(token.raw if isinstance(token, Quoted) else token)
    if pending is not None:
        if len(tokens) == 1:  # one person named, mentioned or in quotes, and nothing else
            return Card(pending)
        raise UsageError(NeedsRating(pending))
    if name_words:
        raise UsageError(_needs_rating(name_words, alone=not entries and len(name_words) == len(tokens)))
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
    # The length a member is told of counts what they see, with a whole emoji as one character; code points
    # are counted as typed, so that a command the grammar takes stays within the request's limit.
    if _more_graphemes_than(name, MAX_NAME_LENGTH):
        raise UsageError(NameTooLong(_excerpt(name)))
    if len(typed) > MAX_NAME_CODE_POINTS:
        raise UsageError(NameTooDense(_excerpt(name)))
    return Person(name, mention=False)


def form_names(text: str) -> list[Person | Mistake]:
    """The people a form's names field holds, as the command names them: names separated by commas, a name
    in double quotes a name whatever it holds (commas too), each by the command's rules; a name that breaks
    them is its mistake, in its place."""
    text = unicodedata.normalize("NFC", text)
    named: list[Person | Mistake] = []
    for part in _comma_separated(text):
        words = part.split()
        if not words:
            continue  # an empty part between commas, or a trailing comma
        quote = _pattern(_QUOTED).fullmatch(part.strip())
        typed: list[str] = (
            [Quoted(quote.group(1) if quote.group(1) is not None else quote.group(2), "", "")] if quote else words
        )
        try:
            person = _named(typed)
        except UsageError as error:
            named.append(error.mistake)
            continue
        if person is not None:
            named.append(person)
    return named


def _comma_separated(text: str) -> list[str]:
    """``text`` split at its commas outside double quotes."""
    parts = [""]
    done = 0
    for match in _pattern(_QUOTED).finditer(text):
        before = text[done : match.start()].split(",")
        parts[-1] += before[0]
        parts.extend(before[1:])
        parts[-1] += match.group(0)
        done = match.end()
    rest = text[done:].split(",")
    parts[-1] += rest[0]
    parts.extend(rest[1:])
    return parts


def more_characters_than(text: str, limit: int) -> bool:
    """Whether ``text`` holds more than ``limit`` characters as a person sees them (grapheme clusters)."""
    return _more_graphemes_than(text, limit)


def _needs_rating(name_words: list[str], alone: bool = False) -> NeedsRating:
    name, cut = _shown(_name(" ".join(name_words)))
    return NeedsRating(Person(name, mention=False), cut, alone)


def _name(typed: str) -> str:
    return without_bidi(typed).strip()  # a name as typed neither starts nor ends with a space


def _more_graphemes_than(text: str, limit: int) -> bool:
    if len(text) <= limit:  # never more characters than code points
        return False
    return next(islice(_grapheme().finditer(text), limit, None), None) is not None


@cache
def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@cache
def _grapheme() -> regex.Pattern[str]:
    import regex

    return regex.compile(_GRAPHEME)


def _excerpt(text: str) -> str:
    """The first characters of a text, never half of one: a flag or an emoji sequence is kept whole."""
    starts = islice(_grapheme().finditer(text), _EXCERPT_GRAPHEMES)
    return "".join(match.group()[:_EXCERPT_GRAPHEME_CODE_POINTS] for match in starts)


def _shown(typed: str) -> tuple[str, bool]:
    """What a mistake echoes of something typed: all of it, or its first characters and True when it is
    longer, so that an answer stays a short message whatever was typed."""
    if not _more_graphemes_than(typed, _EXCERPT_GRAPHEMES):
        return typed, False
    return _excerpt(typed), True
