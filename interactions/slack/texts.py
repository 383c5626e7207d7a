"""Every text a member reads, in one place, written in Slack mrkdwn; but for the pieces of rich text (around
names) and plain text (labels, buttons), which Slack shows exactly as written. What is said of each view (its
word, label, rows) is in the table of views, ``interactions.modes``, and built in here.

The signs: `+` and `−` (a minus sign, not a hyphen) in what the app says, whatever the member typed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from interactions import grammar
from interactions.model import (
    DEFAULT_DAYS,
    MAX_DAYS,
    MAX_NAME_CODE_POINTS,
    MAX_NAME_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_PEOPLE,
    MIN_DAYS,
    NEGATIVE,
    PERCENT_WINDOW_DAYS,
    POSITIVE,
    Mode,
)
from interactions.modes import MODES, VIEW_WORDS
from interactions.slack.mrkdwn import quoted, who


def _coded(words: Iterable[str]) -> str:
    """`a`, `b`, `c`."""
    return ", ".join(f"`{word}`" for word in words)


def choose_one(words: Sequence[str]) -> str:
    """Asks for one of two or more choices given together: "not both" only fits two."""
    listed = f"{_coded(words[:-1])} or {_coded(words[-1:])}"
    return f"Choose one of {listed}, not both." if len(words) == 2 else f"Choose only one of {listed}."


_VIEW_WORDS = list(VIEW_WORDS)

# --- Answers to requests that never reach the queue --------------------------------------------------------
COULD_NOT_RECORD = "Sorry, I couldn't record that, please try again."
MAYBE_RECORDED = "Sorry, I can't tell whether I recorded that: `/interactions` shows your logs, so check there first."
COULD_NOT_SHOW = "Sorry, I couldn't show your logs, please try again."
COULD_NOT_CLEAR = "Sorry, I couldn't clear your logs, please try again."
COULD_NOT_EXPORT = "Sorry, I couldn't export your logs, please try again."
EXPORT_NEEDS_BOT = (
    "Sorry, `/interactions export` needs the app's bot token (`SLACK_BOT_TOKEN`), which this app is not set "
    "up with, to send you the file. Please tell the app's admin."
)
WRONG_COMMAND = "This app answers `/interactions` and `/interaction` only."
UNKNOWN_RESPONSE_URL = (
    "Sorry, I can't answer this command: Slack asked for the answer at an address this app is not set up to "
    "answer (`SLACK_RESPONSE_URL_PREFIXES`). Nothing was saved. Please tell the app's admin."
)
TOO_LARGE = (
    f"That command is too long: log at most {MAX_PEOPLE} people at once, with names of at most "
    f"{MAX_NAME_LENGTH} characters. Nothing was saved."
)
MISSING_FIELDS = "That request is missing fields a slash command has, so nothing was saved."

# --- Answers of the worker ---------------------------------------------------------------------------------
CLEARED = "Thanks! Your interaction logs are cleared."
LOGGED_BEFORE_CLEAR = "You cleared your logs after typing that, so those interactions were not kept."
LOGGED_BEFORE_FORGET = "You had me forget everyone in that log after typing it, so it was not kept."
TOO_OLD = "Sorry, that command waited more than a day to be carried out, so it was not saved. Please try again."
FAILED_NOTHING_SAVED = (
    "Sorry, something went wrong on our side and that command failed: nothing was saved. Please try again."
)
FAILED_LOG_SAVED = "Sorry, something went wrong on our side after your interactions were saved. They are in your logs."
FAILED_LOG_UNKNOWN = (
    "Sorry, something went wrong on our side and that command failed. I can't tell yet whether your "
    "interactions were saved: `/interactions` will show them if they were."
)
FAILED_CLEAR = (
    "Sorry, something went wrong on our side while clearing your logs: some may remain. "
    "Please run `/interactions clear` again."
)
FAILED_VIEW = "Sorry, something went wrong on our side and I couldn't show your logs. Nothing was changed."
FAILED_EXPORT = "Sorry, something went wrong on our side and I couldn't export your logs. Please try again."
NOTHING_TO_EXPORT = "You have no interactions logged, so there is nothing to export."
EXPORT_NOT_SENT = (
    "Sorry, I couldn't send your export to your messages with the app. Nothing was changed; please try again."
)
EXPORT_TITLE = "Your interactions"


def exported(count: int) -> str:
    plural = "s" if count != 1 else ""
    return f"Your export is in your messages with the app: {count} interaction{plural}, as a CSV file."


def logged(percent: int) -> str:
    return f"Got it! You're {percent}% for positive interactions in the last {PERCENT_WINDOW_DAYS} days."


# --- Usage -------------------------------------------------------------------------------------------------
USAGE = (
    "Usage: `/interactions @person +` (or `-`, several people at once, then `-- a note` if you like) · "
    "`/interactions @person` (their card) · `/interactions log` (a form) · "
    f"`/interactions [days] [{'|'.join(_VIEW_WORDS)}] [+|-]` · `/interactions export` · `/interactions clear` · "
    "`/interactions help`"
)

HELP = "\n".join(
    [
        "*Interactions* keeps a private log of who you meet and how it went. Only you see your logs.",
        "",
        "*Log an interaction*, rated `+` or `-` after each person:",
        "• `/interactions @don +`",
        "• `/interactions @don + @Maelle + Random Guy -`: Slack mentions and plain names mixed,"
        f" up to {MAX_PEOPLE} people, names up to {MAX_NAME_LENGTH} characters",
        '• `/interactions "Help Desk" +`: a name in double quotes is always a name, even one that is a'
        f" command word or a number ({_coded(['help', 'clear', 'export', *_VIEW_WORDS])},"
        " `42`)",
        "• `/interactions @don + @Maelle - -- lunch about the budget`: a private note after `--`, kept with"
        f" each of them, up to {MAX_NOTE_LENGTH} characters; shown only to you",
        "Typed names ignore case: `random guy` and `Random Guy` are one person.",
        f"The answer counts your logs of the last {PERCENT_WINDOW_DAYS} days: the share of them rated `+`.",
        "",
        "*Log without typing*: `/interactions log`, the *Log* button or the *Log an interaction* shortcut"
        " (also on a message: its author and the people it mentions are picked) opens a form: pick or name"
        " people, choose `+` or `-` for each, the day you met and a private note.",
        "",
        "*See your logs*, newest first:",
        f"• `/interactions`: the last {DEFAULT_DAYS} days",
        f"• `/interactions 90`: the last 90 days (any whole number from {MIN_DAYS} to {MAX_DAYS})",
        *(f"• `/interactions 90 {view.word}`: {view.shows}" for view in MODES.values() if view.word is not None),
        "• `/interactions +` or `/interactions -`: only positive or only negative ones",
        f"• Options combine, in any order: `/interactions 90 {_VIEW_WORDS[0]} +`",
        '• `/interactions @don` or `/interactions "Random Guy"`: one person\'s card: first and last met, their'
        " totals over 30, 90 and 365 days and of all time, month by month, and your latest logs with their notes",
        "",
        "*Export*: `/interactions export` sends you all of your logs, of all time, as a CSV file for a"
        " spreadsheet, in your messages with the app. Only you can see it.",
        "",
        "*Opt out*: `/interactions clear` deletes all of your logs at once, without asking again.",
        "",
        "`/interaction` (singular) works the same way.",
    ]
)


def mistake(error: grammar.Mistake) -> str:
    """What was not understood, in the member's terms, then how the command goes."""
    return f"{_mistake(error)}\n{USAGE}"


def mistake_alone(error: grammar.Mistake) -> str:
    """What was not understood, without how the command goes: under a field of the log form."""
    return _mistake(error)


def _mistake(error: grammar.Mistake) -> str:
    match error:
        case grammar.KeywordNotAlone(keyword):
            return (
                f"`{keyword}` stands alone, with nothing after it. To log someone whose name starts with it, "
                f'put the name in quotes, as in `"{keyword.title()} Desk" +`.'
            )
        case grammar.NotAPerson():
            return "Only people can be rated: mention them as `@name` or type their name."
        case grammar.TwoDayCounts():
            return "Give one number of days, not two."
        case grammar.DaysNotWhole(typed, cut):
            return f"Days are a whole number from {MIN_DAYS} to {MAX_DAYS}; {_typed(typed, cut)} is not."
        case grammar.DaysOutOfRange(typed, cut):
            return f"The number of days must be from {MIN_DAYS} to {MAX_DAYS}; {_typed(typed, cut)} is not."
        case grammar.TwoModes():
            return choose_one(_VIEW_WORDS)
        case grammar.TwoRatings():
            return choose_one(["+", "-"])
        case grammar.RatingWithoutPerson(sign):
            return f"`{sign}` must follow the person it rates, as in `@don {sign}`."
        case grammar.NeedsRating(person, cut, alone):
            shown = who(person) if person.mention else _typed(person.name, cut)
            if alone and not cut:
                card = quoted(f'"{person.name}"')
                return f"{shown} needs a rating, `+` or `-`, right after it. To see their card, type {card}."
            return f"{shown} needs a rating, `+` or `-`, right after it."
        case grammar.OneRatingPerPerson(person):
            return f"One rating per person: {who(person) if person.mention else quoted(person.name)} has one already."
        case grammar.InvisibleName():
            return "That name has nothing visible in it: type the name, or mention the person as `@name`."
        case grammar.SelfRating():
            return "You can't rate an interaction with yourself."
        case grammar.TooManyPeople(count):
            return f"Log at most {MAX_PEOPLE} people at once; that was {count}."
        case grammar.NameTooLong(start):
            return f"Names are at most {MAX_NAME_LENGTH} characters; {_typed(start, cut=True)} is longer."
        case grammar.NameTooDense(start):
            return (
                f"{_typed(start, cut=True)} is too long to keep, though within {MAX_NAME_LENGTH} characters: "
                "emoji, flags and letters with marks are each made of several pieces (\U0001f468\u200d\U0001f469"
                f"\u200d\U0001f467\u200d\U0001f466 is 7), and a name holds at most {MAX_NAME_CODE_POINTS} pieces. "
                "Please shorten it."
            )
        case grammar.NoteTooLong(length):
            return f"A note is at most {MAX_NOTE_LENGTH} characters; that one has {length:,}. Nothing was saved."
        case grammar.NoteWithoutLog():
            return "A note, after `--`, goes with a log: `/interactions @don + -- lunch about the budget`."


def _typed(typed: str, cut: bool) -> str:
    """What the member typed, shown back in a mistake; ``cut``: only its first characters, so marked."""
    return quoted(typed + "…" if cut else typed)


# --- Views -------------------------------------------------------------------------------------------------
MODAL_TITLE = "Your interactions"
MODAL_CLOSE = "Close"
LOADING = "Fetching your interactions…"


def _span(days: int) -> str:
    return f"the last {days} days" if days != 1 else "the last day"


def _kind(rating: int | None) -> str:
    return {None: "", 1: " positive", -1: " negative"}[rating]


def heading(days: int, rating: int | None, aggregate: str = "") -> str:
    """``aggregate``: what the totals are by (a view's ``by``, or its period), or ""."""
    by = f" by {aggregate}" if aggregate else ""
    return f"Your{_kind(rating)} interactions{by}, {_span(days)}"


def nothing_logged(days: int, rating: int | None) -> str:
    return f"No{_kind(rating)} interactions logged in {_span(days)}."


def counts(count: int, positive: int, negative: int) -> str:
    return f"{count} ({positive} `+`, {negative} `−`)"


def summary(count: int, positive: int, negative: int, percent: int, rating: int | None = None) -> str:
    """The totals of a view; a view of one rating only counts, since its split and percentage are fixed."""
    plural = "s" if count != 1 else ""
    if rating is not None:
        return f"{count:,}{_kind(rating)} interaction{plural}"
    return f"{count:,} interaction{plural}: {positive:,} `+`, {negative:,} `−`, {percent}% positive"


def percent_positive(percent: int) -> str:
    return f"{percent}% positive"


def period_label(start: date, period: str) -> str:
    """A period's first day: the month alone for a month, "week of" a week's Monday."""
    if period == "month":
        return start.strftime("%Y-%m")
    label = start.strftime("%Y-%m-%d")
    return f"week of {label}" if period == "week" else label


def view_not_log(log: str) -> str:
    """``log``: the log the member may have meant, its name in quotes (`"42" +`)."""
    return (
        f"{_coded(_VIEW_WORDS)} and numbers are view words, so this shows your logs. To log someone by such a name, "
        f"put it in double quotes, as in `/interactions {log}`."
    )


# --- Undo --------------------------------------------------------------------------------------------------
UNDO = "Undo"
LOGGED_LEAD = "Logged: "  # rich text: followed by each person logged and their sign
UNDONE_LEAD = "Undone: "
PEOPLE_SEPARATOR = ", "
PLAIN_SIGNS = {POSITIVE: "+", NEGATIVE: "−"}  # in rich text, where backticks would show as they are
ALREADY_UNDONE = "That log was already undone."
NOTHING_LEFT_TO_UNDO = "Nothing was left to undo: those interactions are no longer in your logs."
NOT_YOUR_LOG = "Only the member who logged this can undo it."
LOG_WAS_UNDONE = "You undid that log, so those interactions were not kept."
COULD_NOT_PRESS = "Sorry, I couldn't do that, please try again."
FAILED_UNDO = (
    "Sorry, something went wrong on our side while undoing that log: it may still be in your logs. "
    "Please press Undo again."
)
FAILED_PRESS = "Sorry, something went wrong on our side and that didn't work. Nothing was changed."


def undone(percent: int | None) -> str:
    """``percent``: of what is left in the window; None when nothing is."""
    if percent is None:
        return f"Undone. You have no interactions logged in the last {PERCENT_WINDOW_DAYS} days."
    return f"Undone. You're now {percent}% for positive interactions in the last {PERCENT_WINDOW_DAYS} days."


# --- The dashboard (the modal, the Home tab, or a message) -------------------------------------------------
HOME_INTRO = "Log who you meet with `/interactions @person +` (or `-`). Only you see this."
SPAN_PLACEHOLDER = "Span"
VIEW_PLACEHOLDER = "View"
FILTER_PLACEHOLDER = "Filter"
FILTER_LABELS = {None: "All", POSITIVE: "Positive +", NEGATIVE: "Negative −"}
NEWER = "Newer"
OLDER = "Older"
CLEAR_BUTTON = "Clear all my logs"
CLEAR_CONFIRM_TITLE = "Clear all your logs?"
CLEAR_CONFIRM_TEXT = "This deletes all of your logs, of all time. It can't be undone."
CLEAR_CONFIRM = "Clear all"
CLEAR_DENY = "Cancel"
ROW_SEPARATOR = " · "  # rich text, between a row's parts
LAST_MET = "last "  # rich text, before the day Slack shows


def view_label(mode: Mode) -> str:
    """A view menu choice."""
    return MODES[mode].label


def span_label(days: int) -> str:
    """A span menu choice: whole years as years, else days."""
    if days % 365 == 0:
        years = days // 365
        return f"{years} year{'s' if years != 1 else ''}"
    return f"{days} day{'s' if days != 1 else ''}"


def position(mode: Mode, first: int, last: int, count: int) -> str:
    """Which rows a page shows, as in "Entries 51–100 of 10,000"."""
    return f"{MODES[mode].rows} {first:,}–{last:,} of {count:,}"


def plain_counts(count: int, positive: int, negative: int) -> str:
    """``counts`` for rich text."""
    return f"{count} ({positive} +, {negative} −)"


def utc_minute(at: datetime) -> str:
    """The fallback of a time Slack shows in the reader's zone, for clients that cannot."""
    return f"{at:%Y-%m-%d %H:%M} UTC"


def utc_day(at: datetime) -> str:
    return f"{at:%Y-%m-%d}"


# --- The log form ------------------------------------------------------------------------------------------
FORM_TITLE = "Log an interaction"  # plain text, at most 24 characters
FORM_SUBMIT = "Log"
FORM_CLOSE = "Cancel"
FORM_BUTTON = "Log"
FORM_PEOPLE_LABEL = "Who did you meet?"
FORM_PEOPLE_PLACEHOLDER = "Pick members"
FORM_NAMES_LABEL = "People who are not members"
FORM_NAMES_PLACEHOLDER = "Random Guy, Help Desk"
FORM_NAMES_HINT = (
    f"Names separated by commas, up to {MAX_NAME_LENGTH} characters each; a name in double quotes may hold "
    "commas. Press Enter to rate them."
)
FORM_NOBODY_YET = "Pick or name someone, then choose + or − for each."
FORM_DATE_LABEL = "When did you meet?"
FORM_NOTE_LABEL = "Private note"
FORM_NOTE_HINT = "Only you see it, on each person's entry of this log."
FORM_LOGGING = "Logging…"
FORM_NEEDS_BOT = (
    "Sorry, the log form needs the app's bot token (`SLACK_BOT_TOKEN`), which this app is not set up with. "
    "Log with `/interactions @person +` (or `-`) instead, and please tell the app's admin."
)
FORM_NOT_OPENED = "Sorry, I couldn't open the log form, please try again."
FORM_NOT_QUEUED = "Sorry, I couldn't record that: nothing was saved. Please press Log again."
FORM_MAYBE_QUEUED = (
    "Sorry, I can't tell whether I recorded that: `/interactions` shows your logs, so check there before "
    "logging it again."
)
FORM_NOT_RATED = "Choose + or − for each person."
FORM_NOBODY = "Pick a member or type a name."
FORM_NOTE_TOO_LONG = f"Notes are at most {MAX_NOTE_LENGTH} characters."
FORM_DATES = {
    "missing": "Pick the day you met.",
    "future": "That day is still to come: pick today or a day before.",
    "too long ago": "Pick a day within the last year.",
}


def met_on(day: date) -> str:
    return f"Met on {day:%Y-%m-%d}."


# --- One person's card -------------------------------------------------------------------------------------
CARD_LEAD = "Your interactions with "  # rich text: followed by the person
FIRST_MET = "First met "  # rich text, before the day Slack shows
CARD_LAST_MET = " · last met "
NOTHING_WITH = "No interactions logged with "  # rich text: followed by the person
CARD_MONTHS = "*Month by month*"
CARD_LATEST = "*Latest*"
CARD_OLDER = "Older"
LOG_AGAIN = "Log again"
FORGET_BUTTON = "Forget this person"
FORGET_CONFIRM_TITLE = "Forget this person?"
FORGET_CONFIRM_TEXT = (
    "This deletes every interaction you logged with them, and its notes, and nothing else. It can't be undone."
)
FORGET_CONFIRM = "Forget"
FORGET_DENY = "Cancel"
NOTE_SEPARATOR = " — "  # rich text, between an entry and its note
FAILED_FORGET = (
    "Sorry, something went wrong on our side while forgetting that person: some of their logs may remain. "
    "Please press Forget this person again."
)


def ago(days: int) -> str:
    """How long ago a day was, after the day itself: " (23 days ago)"; nothing for today or yesterday, which
    Slack already writes as the day itself."""
    return f" ({days:,} days ago)" if days > 1 else ""


def card_span(days: int | None, count: int, positive: int, negative: int, percent: int) -> str:
    """A card's line of totals: over the last ``days``, or of all time when None."""
    span = f"Last {days} days" if days is not None else "All time"
    if not count:
        return f"{span}: none"
    return f"{span}: {counts(count, positive, negative)} · {percent_positive(percent)}"


def forgotten(count: int) -> str:
    plural = "s" if count != 1 else ""
    return f"Forgotten: {count:,} interaction{plural} with this person, and their notes, are deleted."


OPEN_CARD = "Card"  # a person row's button


def slack_day(at: datetime) -> str:
    """A day in mrkdwn, which Slack shows in the reader's zone; the fallback is UTC's."""
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}}|{utc_day(at)}>"
