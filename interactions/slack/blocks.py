"""Block Kit for the answers and the pieces the dashboard is built of, within Slack's limit of 3000 characters
in a text object.

Names go in rich text: a mention as a user element, which Slack shows as the member's current name, and a
typed name as a text element, which Slack shows exactly as typed, `*`, `_`, `~` and backticks included.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    MarkdownTextObject,
    RichTextBlock,
    RichTextSectionElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from interactions.model import Entry, Person, Rated, without_bidi
from interactions.reports import BucketTotals, Period, Totals
from interactions.slack import actions, texts

TEXT_CHARACTERS = 3000
_NOTE_MENTION = re.compile(r"<@([UW][A-Z0-9]{1,63})>")  # as the grammar keeps a mention in a note
BAR_WIDTH = 20


def text_blocks(text: str) -> list[Block]:
    return [SectionBlock(text=MarkdownTextObject(text=chunk)) for chunk in _chunks(text)]


def _chunks(text: str) -> list[str]:
    lines = text.split("\n")
    chunks: list[str] = []
    for line in lines:
        if chunks and len(chunks[-1]) + 1 + len(line) <= TEXT_CHARACTERS:
            chunks[-1] += "\n" + line
        else:
            chunks.extend(line[i : i + TEXT_CHARACTERS] for i in range(0, max(len(line), 1), TEXT_CHARACTERS))
    return chunks


def summary(totals: Totals, rating: int | None = None) -> str:
    return texts.summary(totals.count, totals.positive, totals.negative, totals.percent_positive, rating)


def counted(totals: Totals, rating: int | None, counts: Callable[[int, int, int], str] = texts.counts) -> list[str]:
    """A row's figures; under a rating filter only the count, the split and percentage being fixed. ``counts``
    words the split: in mrkdwn, or ``texts.plain_counts`` for rich text."""
    if rating is not None:
        return [str(totals.count)]
    return [counts(totals.count, totals.positive, totals.negative), texts.percent_positive(totals.percent_positive)]


def logged(percent: int, rated: Iterable[Rated], undo: actions.UndoTarget) -> list[Block]:
    """The answer to a log: the percentage, who was logged and how, and a button that takes the log back."""
    return [
        SectionBlock(text=MarkdownTextObject(text=texts.logged(percent))),
        RichTextBlock(elements=[RichTextSectionElement(elements=rated_people(texts.LOGGED_LEAD, rated))]),
        ActionsBlock(elements=[ButtonElement(text=texts.UNDO, action_id=actions.UNDO, value=actions.undo_value(undo))]),
    ]


def undone(percent: int | None, entries: Iterable[Entry]) -> list[Block]:
    """The answer to an Undo: the percentage without the log (None: nothing left in its window), and who was
    taken out of it."""
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=texts.undone(percent)))]
    people = [Rated(entry.person, entry.rating) for entry in entries]
    if people:
        blocks.append(
            RichTextBlock(elements=[RichTextSectionElement(elements=rated_people(texts.UNDONE_LEAD, people))])
        )
    return blocks


# Rich text elements as Slack's JSON: the dashboard writes its rows with them directly (see
# interactions/slack/dashboard.py); a block made of them is parsed into slack_sdk's models, and so checked.
RichText = dict[str, Any]


def rated_people(lead: str, rated: Iterable[Rated]) -> list[RichText]:
    """``lead``, then each person with their sign, separated by commas."""
    elements: list[RichText] = [text_element(lead)]
    for index, item in enumerate(rated):
        if index:
            elements.append(text_element(texts.PEOPLE_SEPARATOR))
        elements += [person_element(item.person), sign_element(item.rating)]
    return elements


def text_element(text: str) -> RichText:
    return {"type": "text", "text": text}


def person_element(person: Person) -> RichText:
    """A mention, which Slack shows as the member's current name, or the typed name exactly as typed."""
    if person.mention:
        return {"type": "user", "user_id": person.name}
    return text_element(without_bidi(person.name))  # names stored before bidi controls were taken out


def note_elements(note: str) -> list[RichText]:
    """A member's note as written, never read as Slack formatting: a mention in it is one Slack names."""
    elements: list[RichText] = []
    for index, part in enumerate(_NOTE_MENTION.split(note)):
        if index % 2:
            elements.append({"type": "user", "user_id": part})
        elif part:
            elements.append(text_element(without_bidi(part)))
    return elements


def noted(note: str | None) -> list[RichText]:
    """What follows an entry in a row: its note, if it has one."""
    return [text_element(texts.NOTE_SEPARATOR), *note_elements(note)] if note else []


def sign_element(rating: int) -> RichText:
    return text_element(" " + texts.PLAIN_SIGNS[rating])


def time_element(at: datetime) -> RichText:
    """A time Slack shows in the reader's own zone; the fallback is UTC."""
    return {
        "type": "date",
        "timestamp": int(at.timestamp()),
        "format": "{date_short_pretty} {time}",
        "fallback": texts.utc_minute(at),
    }


def day_element(at: datetime) -> RichText:
    return {
        "type": "date",
        "timestamp": int(at.timestamp()),
        "format": "{date_short_pretty}",
        "fallback": texts.utc_day(at),
    }


def bucket_rows(buckets: list[BucketTotals], period: Period, rating: int | None = None) -> Iterator[str]:
    most = max((b.count for b in buckets), default=1)
    for bucket in buckets:
        positive_width = round(BAR_WIDTH * bucket.positive / most)
        negative_width = round(BAR_WIDTH * bucket.count / most) - positive_width
        bar = "█" * positive_width + "░" * negative_width
        label = texts.period_label(bucket.start, period.value)
        figures = counted(bucket, rating)
        yield f"`{label}` {bar} {' · '.join(figures)}"


def danger_button(text: str, action_id: str, value: str, asked: tuple[str, str, str, str]) -> ButtonElement:
    """A button that deletes, once the member confirms in Slack's dialog: ``asked`` is its title, its text,
    and the labels of its two buttons."""
    title, question, confirm, deny = asked
    dialog = ConfirmObject(title=title, text=question, confirm=confirm, deny=deny, style="danger")
    return ButtonElement(text=text, action_id=action_id, value=value, style="danger", confirm=dialog)


def text_modal(text: str) -> View:
    """A modal that says one thing: the loading one, or an apology in place of the dashboard."""
    return View(type="modal", title=texts.MODAL_TITLE, close=texts.MODAL_CLOSE, blocks=text_blocks(text))


def loading_modal() -> View:
    return text_modal(texts.LOADING)
