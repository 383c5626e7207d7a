"""The log form as Slack shows it, the views that follow its submission, and its mistakes in words.

Its fields' block ids are the field names of ``interactions.log_form``; its controls' action ids are in
``interactions.slack.actions``. One choice of + or − per person, in a section under the person's name (a
mention shows as the member's current name), redrawn as people are picked or named.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, assert_never

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    UserMultiSelectElement,
)
from slack_sdk.models.blocks.basic_components import DispatchActionConfig
from slack_sdk.models.views import View

from interactions import grammar
from interactions import log_form as form
from interactions.model import MAX_NOTE_LENGTH, MAX_PEOPLE, Person, Rated
from interactions.slack import actions, blocks, texts
from interactions.slack.mrkdwn import who
from interactions.slack.request import MAX_FORM_TEXT

_SIGNS = {"+": "+", "-": "−"}


def form_view(filled: form.Filled, shown: Sequence[Person], carried: str) -> View:
    """The form, with ``filled`` as it stands and one choice of + or − for each of ``shown``; ``carried``
    (``interactions.log_form.metadata``) says whose it is."""
    return View(
        type="modal",
        callback_id=actions.LOG_FORM,
        title=texts.FORM_TITLE,
        submit=texts.FORM_SUBMIT,
        close=texts.FORM_CLOSE,
        private_metadata=carried,
        blocks=[
            InputBlock(
                block_id=form.PEOPLE,
                label=texts.FORM_PEOPLE_LABEL,
                optional=True,
                dispatch_action=True,
                element=UserMultiSelectElement(
                    action_id=actions.FORM_PEOPLE,
                    placeholder=texts.FORM_PEOPLE_PLACEHOLDER,
                    initial_users=list(filled.picked) or None,
                    max_selected_items=MAX_PEOPLE,
                ),
            ),
            InputBlock(
                block_id=form.NAMES,
                label=texts.FORM_NAMES_LABEL,
                hint=texts.FORM_NAMES_HINT,
                optional=True,
                dispatch_action=True,
                element=PlainTextInputElement(
                    action_id=actions.FORM_NAMES,
                    placeholder=texts.FORM_NAMES_PLACEHOLDER,
                    initial_value=filled.names or None,
                    max_length=MAX_FORM_TEXT,
                    dispatch_action_config=DispatchActionConfig(trigger_actions_on=["on_enter_pressed"]),
                ),
            ),
            *(_rating(person, filled) for person in shown),
            *([] if shown else [ContextBlock(elements=[MarkdownTextObject(text=texts.FORM_NOBODY_YET)])]),
            InputBlock(
                block_id=form.DATE,
                label=texts.FORM_DATE_LABEL,
                element=DatePickerElement(action_id=actions.FORM_DATE, initial_date=filled.met_on),
            ),
            InputBlock(
                block_id=form.NOTE,
                label=texts.FORM_NOTE_LABEL,
                hint=texts.FORM_NOTE_HINT,
                optional=True,
                element=PlainTextInputElement(
                    action_id=actions.FORM_NOTE,
                    multiline=True,
                    max_length=MAX_NOTE_LENGTH,
                    initial_value=filled.note or None,
                ),
            ),
        ],
    )


def _rating(person: Person, filled: form.Filled) -> SectionBlock:
    options = [Option(text=label, value=value) for value, label in _SIGNS.items()]
    chosen = filled.ratings.get(form.rating_field(person))
    return SectionBlock(
        block_id=form.rating_field(person),
        text=MarkdownTextObject(text=who(person)),
        accessory=RadioButtonsElement(
            action_id=actions.FORM_RATING,
            options=options,
            initial_option=next((o for o in options if o.value == chosen), None),
        ),
    )


def names_field(people: Sequence[Person]) -> str:
    """People who are not members, as the names field takes them: in double quotes when a name holds a
    comma."""
    return ", ".join(f'"{p.name}"' if "," in p.name and '"' not in p.name else p.name for p in people)


def logging_view() -> View:
    """What the form shows once submitted, until the worker says what was logged."""
    return _modal(blocks.text_blocks(texts.FORM_LOGGING))


def logged_view(percent: int, rated: Sequence[Rated], met_on: date, undo: actions.UndoTarget, tag: str) -> View:
    """What was logged, the percentage, and Undo; ``tag`` (``interactions.pseudonym.view_tag``) makes an
    Undo pressed in it the member's."""
    shown: list[Block] = [*blocks.logged(percent, rated, undo)]
    shown.insert(-1, ContextBlock(elements=[MarkdownTextObject(text=texts.met_on(met_on))]))
    return _modal(shown, tag)


def said_view(text: str, shown: Sequence[Block] | None = None, tag: str = "") -> View:
    """The form's modal saying one thing: a log that was not kept, an Undo's answer, a failure."""
    return _modal(list(shown) if shown else blocks.text_blocks(text), tag)


def _modal(shown: list[Block], tag: str = "") -> View:
    return View(
        type="modal", title=texts.FORM_TITLE, close=texts.MODAL_CLOSE, blocks=shown, private_metadata=tag or None
    )


def log_button(person: Person | None = None) -> ButtonElement:
    """Opens the form, with ``person`` picked."""
    value = actions.person_value(person) if person is not None else ""
    return ButtonElement(text=texts.FORM_BUTTON, action_id=actions.OPEN_LOG_FORM, value=value, style="primary")


def errors(mistakes: dict[str, form.FormMistake]) -> dict[str, Any]:
    """The acknowledgement of a submission with mistakes: each said under its field."""
    return {"response_action": "errors", "errors": {field: _said(mistake) for field, mistake in mistakes.items()}}


def update(view: View) -> dict[str, Any]:
    """The acknowledgement of a submission that shows ``view`` in the form's place."""
    return {"response_action": "update", "view": view.to_dict()}


def _said(mistake: form.FormMistake) -> str:
    match mistake:
        case form.Nobody():
            return texts.FORM_NOBODY
        case form.Yourself():
            return texts.mistake_alone(grammar.SelfRating())
        case form.BadName(named):
            return texts.mistake_alone(named)
        case form.TooMany(count):
            return texts.mistake_alone(grammar.TooManyPeople(count))
        case form.NotRated():
            return texts.FORM_NOT_RATED
        case form.BadDate(why):
            return texts.FORM_DATES[why]
        case form.NoteTooLong():
            return texts.FORM_NOTE_TOO_LONG
        case _:
            assert_never(mistake)
