"""One person's card as Slack shows it: in a modal, on the Home tab, or in a message.

The person is named as the dashboard names them (a mention Slack names, a typed name as typed, in rich text),
and so are the notes. Its buttons carry the person (``actions.person_value``), so a press needs nothing else.
It stays within a message's 50 blocks.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    RichTextBlock,
    RichTextSectionElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from interactions.card import PersonCard
from interactions.reports import Period
from interactions.slack import actions, blocks, texts
from interactions.slack.dashboard import RichRows

# Pressed, it opens the log form with the person picked: the form's own press.
LOG_AGAIN_ACTION = "open_log_form"


def card_blocks(card: PersonCard, now: datetime, note: str | None = None) -> list[Block]:
    """The person, ``note`` (what just happened), when first and last met, the totals, the months, the
    latest entries and the buttons."""
    person = blocks.person_element(card.person)
    figures = card.figures
    shown: list[Block] = [_rich([{**blocks.text_element(texts.CARD_LEAD), "style": {"bold": True}}, person])]
    if note:
        shown.append(ContextBlock(elements=[MarkdownTextObject(text=note)]))
    if figures.first_met is None or figures.last_met is None:
        shown.append(_rich([blocks.text_element(texts.NOTHING_WITH), person]))
        shown.append(_buttons(card))
        return shown
    ago = texts.ago((now.date() - figures.last_met.date()).days)
    met = [
        blocks.text_element(texts.FIRST_MET),
        blocks.day_element(figures.first_met),
        blocks.text_element(texts.CARD_LAST_MET),
        blocks.day_element(figures.last_met),
    ]
    shown.append(_rich([*met, blocks.text_element(ago)] if ago else met))
    spans = [(days, totals) for days, totals in figures.spans] + [(None, figures.all_time)]
    lines = [texts.card_span(d, t.count, t.positive, t.negative, t.percent_positive) for d, t in spans]
    shown.append(SectionBlock(text=MarkdownTextObject(text="\n".join(lines))))
    months = list(blocks.bucket_rows(list(figures.months), Period.MONTH))
    months = [row if bucket.count else row.split(" ", 1)[0] for row, bucket in zip(months, figures.months, strict=True)]
    shown.append(SectionBlock(text=MarkdownTextObject(text="\n".join([texts.CARD_MONTHS, *months]))))
    if card.entries:
        shown.append(SectionBlock(text=MarkdownTextObject(text=texts.CARD_LATEST)))
        shown.append(RichRows([_entry_row(entry.at, entry.rating, entry.note) for entry in card.entries]))
    shown.append(_buttons(card))
    return shown


def card_modal(card: PersonCard, tag: str, now: datetime, note: str | None = None) -> View:
    """The modal, carrying ``tag`` (``interactions.pseudonym.view_tag``) back in every press of its buttons."""
    return View(
        type="modal",
        title=texts.MODAL_TITLE,
        close=texts.MODAL_CLOSE,
        blocks=card_blocks(card, now, note),
        private_metadata=tag,
    )


def card_home(card: PersonCard, now: datetime, note: str | None = None) -> View:
    return View(type="home", blocks=card_blocks(card, now, note))


def card_message(card: PersonCard, now: datetime, note: str | None = None) -> tuple[str, list[Block]]:
    """The fallback text (notifications, clients without blocks) and the blocks of a message."""
    return (note or texts.CARD_LEAD.strip()), card_blocks(card, now, note)


def _rich(elements: list[blocks.RichText]) -> Block:
    return RichTextBlock(elements=[RichTextSectionElement(elements=elements)])


def _entry_row(at: datetime, rating: int, note: str | None) -> list[blocks.RichText]:
    return [blocks.time_element(at), blocks.sign_element(rating), *blocks.noted(note)]


def _buttons(card: PersonCard) -> ActionsBlock:
    person = actions.person_value(card.person)
    buttons: list[ButtonElement] = []
    if card.older is not None:
        value = actions.card_older_value(card.person, card.older)
        buttons.append(ButtonElement(text=texts.CARD_OLDER, action_id=actions.CARD_OLDER, value=value))
    buttons.append(ButtonElement(text=texts.LOG_AGAIN, action_id=LOG_AGAIN_ACTION, value=person))
    if card.figures.all_time.count:
        asked = (texts.FORGET_CONFIRM_TITLE, texts.FORGET_CONFIRM_TEXT, texts.FORGET_CONFIRM, texts.FORGET_DENY)
        buttons.append(blocks.danger_button(texts.FORGET_BUTTON, actions.FORGET_PERSON, person, asked))
    return ActionsBlock(elements=buttons)
