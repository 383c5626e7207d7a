"""The dashboard as Slack shows it: in a modal, on the Home tab, or in a message.

Its menus and buttons carry, as their values, the dashboard state they show (see ``actions``), so a press is
read with nothing else. It stays within a message's 50 blocks whatever it holds, so that the same blocks fit
anywhere.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, assert_never

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
    TextObject,
)
from slack_sdk.models.views import View

from interactions import reports
from interactions.dashboard import SPANS, Dashboard, Page
from interactions.model import NEGATIVE, POSITIVE, Mode
from interactions.modes import MODES
from interactions.reports import PersonTotals
from interactions.slack import actions, blocks, texts
from interactions.slack.log_form import log_button


def dashboard_blocks(page: Page, note: str | None = None) -> list[Block]:
    """Title, ``note`` (a word on what just happened), the controls, the summary, the rows, and paging."""
    shown = page.dashboard
    result: list[Block] = [HeaderBlock(text=_title(page))]
    if note:
        result.append(ContextBlock(elements=[MarkdownTextObject(text=note)]))
    result.append(_controls(shown))
    if page.rows:
        result.append(ContextBlock(elements=[MarkdownTextObject(text=blocks.summary(page.totals, shown.rating))]))
        result.extend(_rows(page))
    else:
        result.append(SectionBlock(text=MarkdownTextObject(text=texts.nothing_logged(shown.days, shown.rating))))
    if page.older is not None or page.newer is not None:
        last = page.first + page.rows - 1
        position = texts.position(shown.mode, page.first, last, max(page.count, last))
        result.append(ContextBlock(elements=[MarkdownTextObject(text=position)]))
    result.append(_paging(page))
    return result


def dashboard_modal(page: Page, tag: str, note: str | None = None) -> View:
    """The modal, carrying ``tag`` (``interactions.pseudonym.view_tag``) back in every press of its controls."""
    return View(
        type="modal",
        title=texts.MODAL_TITLE,
        close=texts.MODAL_CLOSE,
        blocks=dashboard_blocks(page, note),
        private_metadata=tag,
    )


def dashboard_home(page: Page, note: str | None = None) -> View:
    """The Home tab: the dashboard, with a line on how to log under its title."""
    shown = dashboard_blocks(page, note)
    intro = ContextBlock(elements=[MarkdownTextObject(text=texts.HOME_INTRO)])
    return View(type="home", blocks=[shown[0], intro, *shown[1:]])


def dashboard_message(page: Page, note: str | None = None) -> tuple[str, list[Block]]:
    """The fallback text (notifications, clients without blocks) and the blocks of a message."""
    title = _title(page)
    return (f"{note}\n{title}" if note else title), dashboard_blocks(page, note)


def _title(page: Page) -> str:
    shown = page.dashboard
    by = MODES[shown.mode].by
    if by is None:  # totals per period: the span picks which
        by = (page.period or reports.period_for(shown.days)).value
    return texts.heading(shown.days, shown.rating, by)


# --- Controls ----------------------------------------------------------------------------------------------


def _controls(shown: Dashboard) -> ActionsBlock:
    """Span, view and filter menus, each choice's value the first page of what it shows; and Log, which opens
    the log form."""
    first = shown.first_page()
    spans = sorted({*SPANS, shown.days})
    span = [(texts.span_label(days), replace(first, days=days)) for days in spans]
    view = [(texts.view_label(mode), replace(first, mode=mode)) for mode in Mode]
    rating = [(texts.FILTER_LABELS[r], replace(first, rating=r)) for r in (None, POSITIVE, NEGATIVE)]
    return ActionsBlock(
        elements=[
            _menu(actions.SPAN, texts.SPAN_PLACEHOLDER, span, first),
            _menu(actions.VIEW, texts.VIEW_PLACEHOLDER, view, first),
            _menu(actions.FILTER, texts.FILTER_PLACEHOLDER, rating, first),
            log_button(),
        ]
    )


def _menu(
    action_id: str, placeholder: str, choices: list[tuple[str, Dashboard]], current: Dashboard
) -> StaticSelectElement:
    options = [Option(text=label, value=actions.dashboard_value(target)) for label, target in choices]
    initial = next(option for option, (_, target) in zip(options, choices, strict=True) if target == current)
    return StaticSelectElement(action_id=action_id, placeholder=placeholder, options=options, initial_option=initial)


def _paging(page: Page) -> ActionsBlock:
    buttons: list[ButtonElement] = []
    if page.newer is not None:
        buttons.append(
            ButtonElement(text=texts.NEWER, action_id=actions.NEWER, value=actions.dashboard_value(page.newer))
        )
    if page.older is not None:
        buttons.append(
            ButtonElement(text=texts.OLDER, action_id=actions.OLDER, value=actions.dashboard_value(page.older))
        )
    clear = blocks.danger_button(
        texts.CLEAR_BUTTON,
        actions.CLEAR,
        actions.dashboard_value(page.dashboard.first_page()),
        (texts.CLEAR_CONFIRM_TITLE, texts.CLEAR_CONFIRM_TEXT, texts.CLEAR_CONFIRM, texts.CLEAR_DENY),
    )
    return ActionsBlock(elements=[*buttons, clear])


# --- Rows --------------------------------------------------------------------------------------------------


def _rows(page: Page) -> list[Block]:
    rating = page.dashboard.rating
    match page.dashboard.mode:
        case Mode.LIST:
            separator = blocks.text_element(texts.ROW_SEPARATOR)
            items = [
                [
                    blocks.time_element(entry.at),
                    separator,
                    blocks.person_element(entry.person),
                    blocks.sign_element(entry.rating),
                    *blocks.noted(entry.note),
                ]
                for entry in page.entries
            ]
            return [RichRows(items)]
        case Mode.PERSON:
            return [_person_row(person, rating) for person in page.people]
        case Mode.TIME:
            period = page.period or reports.period_for(page.dashboard.days)
            return blocks.text_blocks("\n".join(blocks.bucket_rows(page.buckets, period, rating)))
        case _:
            assert_never(page.dashboard.mode)


def _person_row(person: PersonTotals, rating: int | None) -> SectionBlock:
    """A person, their figures and the day last met, with a button that opens their card: a section each, as a
    button is one per block. A mention in mrkdwn, which Slack names, and nothing typed with it; a typed name in
    plain text, which Slack shows exactly as typed."""
    figures = texts.ROW_SEPARATOR.join(blocks.counted(person, rating, texts.plain_counts))
    card = ButtonElement(text=texts.OPEN_CARD, action_id=actions.OPEN_CARD, value=actions.person_value(person.person))
    last = person.last_at
    if person.person.mention:
        day = f"{texts.ROW_SEPARATOR}{texts.LAST_MET}{texts.slack_day(last)}" if last is not None else ""
        shown: TextObject = MarkdownTextObject(text=f"<@{person.person.name}>{texts.ROW_SEPARATOR}{figures}{day}")
    else:
        day = f"{texts.ROW_SEPARATOR}{texts.LAST_MET}{texts.utc_day(last)}" if last is not None else ""
        name = blocks.person_element(person.person)["text"]
        shown = PlainTextObject(text=f"{name}{texts.ROW_SEPARATOR}{figures}{day}", emoji=False)
    return SectionBlock(text=shown, accessory=card)


class RichRows(Block):
    """A page's rows, one per line, as a bulleted rich_text list, kept as Slack's JSON. slack_sdk's models would
    make a few hundred objects of a page and walk them all again in to_dict(), which costs more than reading
    the page from storage (BENCHMARKS.md, "dashboard page"); the tests parse this block with slack_sdk's
    models to check that it is valid Block Kit."""

    def __init__(self, items: list[list[blocks.RichText]]) -> None:
        super().__init__(type="rich_text")
        sections = [{"type": "rich_text_section", "elements": item} for item in items]
        self._json = {
            "type": "rich_text",
            "elements": [{"type": "rich_text_list", "style": "bullet", "elements": sections}],
        }

    def to_dict(self) -> dict[str, Any]:
        return self._json
