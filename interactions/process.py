"""The queue side: carry out one queued message (a slash command, a press, a Home tab opened, a log form
submitted) and answer.

User mistakes are answered, never raised. Storage errors propagate, so the host retries the message and
finally moves it to the poison queue. Everything here is safe to run twice for the same message.
"""

from __future__ import annotations

import io
import logging
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import assert_never

from slack_sdk.models.views import View as SlackView

from interactions import card, dashboard, export, grammar, home, log_form, presses, reports
from interactions.model import (
    CLEAR_MEMORY,
    PERCENT_WINDOW,
    Card,
    Clear,
    Export,
    Help,
    Log,
    LogForm,
    Rated,
    View,
    person_key,
)
from interactions.ports import Answers, Store
from interactions.pseudonym import log_tag, view_tag
from interactions.queue_message import (
    MalformedMessage,
    Queued,
    QueuedCommand,
    QueuedFormLog,
    QueuedHomeOpened,
    QueuedPress,
    read,
)
from interactions.slack import blocks, texts
from interactions.slack.actions import UndoTarget
from interactions.slack.card import card_message, card_modal
from interactions.slack.dashboard import dashboard_message, dashboard_modal
from interactions.slack.log_form import logged_view, said_view

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Job:
    """What the worker does with one queued message: carry it out at a time, or report that it failed every
    retry."""

    carry_out: Callable[[Store, Answers, datetime], None]
    report_failure: Callable[[Store, Answers], None]


def _job(queued: Queued) -> _Job:
    """Every kind of queued message and what carries it out: the type checker names a kind left out."""
    match queued:
        case QueuedCommand():
            return _Job(partial(_command, queued), partial(_command_failed, queued))
        case QueuedPress():
            return _Job(
                lambda store, slack, _now: presses.press(queued, store, slack),
                lambda _store, slack: presses.report_failure(queued, slack),
            )
        case QueuedHomeOpened():
            return _Job(
                lambda store, slack, _now: home.home_opened(queued, store, slack),
                lambda _store, _slack: home.report_failure(),
            )
        case QueuedFormLog():
            return _Job(partial(_form_log, queued), partial(_form_log_failed, queued))
        case _:
            assert_never(queued)


def process(
    raw: str | bytes, store: Store, slack: Answers, now: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> None:
    try:
        queued = read(raw)
    except MalformedMessage as error:
        # Nobody can be answered and no retry can help: drop it, saying why (never what it held).
        log.error("Dropped a malformed queue message: %s.", error)
        return
    _job(queued).carry_out(store, slack, now())


def report_failure(raw: str | bytes, store: Store, slack: Answers) -> None:
    """A message failed every retry and reached the poison queue: tell the member what became of it."""
    try:
        queued = read(raw)
    except MalformedMessage:
        log.error(_NOT_REPORTABLE)
        return
    _job(queued).report_failure(store, slack)


_NOT_REPORTABLE = "Dropped a poison message that is not a command this app can report on."
# A failed log, by whether its entries were saved (None: storage could not tell).
_LOG_FAILED = {True: texts.FAILED_LOG_SAVED, False: texts.FAILED_NOTHING_SAVED, None: texts.FAILED_LOG_UNKNOWN}


def _command(queued: QueuedCommand, store: Store, slack: Answers, now: datetime) -> None:
    try:
        command = grammar.parse(queued.text, queued.user_id)
    except grammar.UsageError as error:
        slack.respond(queued.response_url, texts.mistake(error.mistake))
        return
    log.info("Processing a command: %s.", type(command).__name__.lower())
    match command:
        case Log():
            _log(queued, command, store, slack, now)
        case View():
            _view(queued, command, store, slack)
        case Card():
            _card(queued, command, store, slack)
        case Clear():
            store.clear(queued.owner, queued.received_at)
            slack.respond(queued.response_url, texts.CLEARED)
        case Export():
            _export(queued, store, slack)
        case Help():
            slack.respond(queued.response_url, texts.HELP, blocks.text_blocks(texts.HELP))
        case LogForm():  # opened in the ack, never queued: only a message not written by this version
            slack.respond(queued.response_url, texts.FORM_NOT_OPENED)
        case _:
            assert_never(command)


def _command_failed(queued: QueuedCommand, store: Store, slack: Answers) -> None:
    try:
        command = grammar.parse(queued.text, queued.user_id)
    except grammar.UsageError:
        log.error(_NOT_REPORTABLE)
        return
    log.error("Command %s failed every retry: %s.", queued.command_id, type(command).__name__.lower())
    match command:
        case Log():
            text = _LOG_FAILED[_saved(queued, store)]
        case Clear():
            text = texts.FAILED_CLEAR
        case Export():
            text = texts.FAILED_EXPORT
        case View() | Card() | Help() | LogForm():
            text = texts.FAILED_VIEW
        case _:
            assert_never(command)
    if queued.view_id and slack.show_modal(queued.view_id, blocks.text_modal(text)):
        return
    slack.respond(queued.response_url, text)


def _saved(queued: QueuedCommand | QueuedFormLog, store: Store, at: datetime | None = None) -> bool | None:
    """Whether a failed log's entries were saved; ``at``: when they were kept as met, if not when received."""
    try:
        return store.has_command(queued.owner, queued.command_id, at or queued.received_at)
    except Exception as error:  # noqa: BLE001 - storage may still be failing: the user hears anyway
        log.warning("Could not check whether failed command %s was saved: %s.", queued.command_id, type(error).__name__)
        return None


def _log(queued: QueuedCommand, command: Log, store: Store, slack: Answers, now: datetime) -> None:
    if now - queued.received_at > CLEAR_MEMORY:  # a clear since then may be forgotten: it must win
        slack.respond(queued.response_url, texts.TOO_OLD)
        return
    gone = _write_log(queued, queued.received_at, command.entries, command.note, store)
    if gone is not None:
        slack.respond(queued.response_url, gone)
        return
    kept = _unforgotten(queued, command.entries, store)
    if not kept:
        slack.respond(queued.response_url, texts.LOGGED_BEFORE_FORGET)
        return
    percent = reports.percent_positive(store.ratings_since(queued.owner, queued.received_at - PERCENT_WINDOW))
    tag = log_tag(queued.owner, queued.command_id)
    undo = UndoTarget(queued.command_id, queued.received_at, len(command.entries), tag)
    slack.respond(queued.response_url, texts.logged(percent), blocks.logged(percent, kept, undo))


def _unforgotten(queued: QueuedCommand | QueuedFormLog, rated: Sequence[Rated], store: Store) -> tuple[Rated, ...]:
    """The log's entries less those of people the member forgot since typing it, which are deleted: as with a
    clear, checked after writing, so that a forget running now either sees these rows or is seen here."""
    people = {person_key(item.person): item.person for item in rated}
    forgotten = {
        key for key, person in people.items() if store.forgotten_since(queued.owner, person, queued.received_at)
    }
    for key in forgotten:
        # Up to when the log was typed: the forget, later, deleted all of that person up to then.
        store.forget(queued.owner, people[key], queued.received_at)
    return tuple(item for item in rated if person_key(item.person) not in forgotten)


def _write_log(
    queued: QueuedCommand | QueuedFormLog, at: datetime, rated: Sequence[Rated], note: str | None, store: Store
) -> str | None:
    """Write a log's entries, kept as met ``at``; None when the log stands, else what the member is told of
    why it does not (its entries removed again)."""
    store.add(queued.owner, queued.command_id, at, rated, note)
    # A clear typed after this log may have run first (a batch runs messages at once), or this message
    # is a redelivery after a crash, or after the member pressed Undo: the clear or the Undo wins. Checked
    # after writing, so that a clear or Undo running now either sees these rows or is seen here. A clear is
    # compared with when the log was made, whatever day it was met.
    gone = None
    if store.cleared_since(queued.owner, queued.received_at):
        gone = texts.LOGGED_BEFORE_CLEAR
    elif store.undone(queued.owner, queued.command_id):
        gone = texts.LOG_WAS_UNDONE
    if gone is not None:
        store.remove(queued.owner, queued.command_id, at, len(rated))
    return gone


def _form_log(queued: QueuedFormLog, store: Store, slack: Answers, now: datetime) -> None:
    """A log form's log, written as a command's is, then shown in the form's modal. A modal closed meanwhile
    is no failure: the log stands, in the member's logs."""
    rated, met_on = queued.people(), queued.met()
    at = log_form.met_at(met_on, queued.received_at)
    log.info("Processing a log form.")
    if now - queued.received_at > CLEAR_MEMORY:  # a clear since then may be forgotten: it must win
        _show_form(queued, slack, said_view(texts.TOO_OLD))
        return
    gone = _write_log(queued, at, rated, queued.note, store)
    if gone is not None:
        _show_form(queued, slack, said_view(gone))
        return
    kept = _unforgotten(queued, rated, store)
    if not kept:
        _show_form(queued, slack, said_view(texts.LOGGED_BEFORE_FORGET))
        return
    percent = reports.percent_positive(store.ratings_since(queued.owner, queued.received_at - PERCENT_WINDOW))
    undo = UndoTarget(queued.command_id, at, len(rated), log_tag(queued.owner, queued.command_id))
    _show_form(queued, slack, logged_view(percent, kept, met_on, undo, view_tag(queued.owner, queued.view_id)))


def _form_log_failed(queued: QueuedFormLog, store: Store, slack: Answers) -> None:
    log.error("A log form's log %s failed every retry.", queued.command_id)
    at = log_form.met_at(queued.met(), queued.received_at)
    _show_form(queued, slack, said_view(_LOG_FAILED[_saved(queued, store, at)]))


def _show_form(queued: QueuedFormLog, slack: Answers, view: SlackView) -> None:
    if not slack.show_modal(queued.view_id, view):
        log.info("A log form's answer was not shown: its modal was closed.")


def _view(queued: QueuedCommand, command: View, store: Store, slack: Answers) -> None:
    asked = dashboard.Dashboard(command.days, command.mode, command.rating)
    page = dashboard.read(store, queued.owner, asked, queued.received_at)
    note = texts.view_not_log(command.could_be_log) if command.could_be_log else None
    if queued.view_id and slack.show_modal(
        queued.view_id, dashboard_modal(page, view_tag(queued.owner, queued.view_id), note)
    ):
        return
    # No modal, or it was closed meanwhile: the same dashboard as a message, whose buttons page in place.
    text, shown = dashboard_message(page, note)
    slack.respond(queued.response_url, text, shown)


def _card(queued: QueuedCommand, command: Card, store: Store, slack: Answers) -> None:
    shown = card.read(store, queued.owner, command.person, None, queued.received_at)
    if queued.view_id and slack.show_modal(
        queued.view_id, card_modal(shown, view_tag(queued.owner, queued.view_id), queued.received_at)
    ):
        return
    text, blocks_shown = card_message(shown, queued.received_at)  # no modal, or closed meanwhile
    slack.respond(queued.response_url, text, blocks_shown)


def _export(queued: QueuedCommand, store: Store, slack: Answers) -> None:
    if not slack.can_send_files:
        slack.respond(queued.response_url, texts.EXPORT_NEEDS_BOT)
        return
    # Rows go from the store's pages to a temporary file as they stream past, so memory holds a page, not
    # every entry; the file is gone when the block ends, and nothing of the export is stored.
    with tempfile.TemporaryFile() as file:
        text = io.TextIOWrapper(file, encoding="utf-8", newline="")
        count = export.write_csv(store.all_entries(queued.owner), text)
        text.detach()  # flushes, and leaves the file open for the upload
        if count == 0:
            slack.respond(queued.response_url, texts.NOTHING_TO_EXPORT)
            return
        file.seek(0)
        sent = slack.send_file(queued.user_id, file, export.filename(queued.received_at), texts.EXPORT_TITLE)
    slack.respond(queued.response_url, texts.exported(count) if sent else texts.EXPORT_NOT_SENT)
