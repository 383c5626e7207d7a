"""The queue side: carry out one queued message (a slash command, a press, a Home tab opened) and answer.

User mistakes are answered, never raised. Storage errors propagate, so the host retries the message and
finally moves it to the poison queue. Everything here is safe to run twice for the same message.
"""

from __future__ import annotations

import io
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import assert_never

from interactions import card, dashboard, export, grammar, home, presses, reports
from interactions.model import CLEAR_MEMORY, PERCENT_WINDOW, Card, Clear, Export, Help, Log, View
from interactions.ports import Answers, Store
from interactions.pseudonym import log_tag, view_tag
from interactions.queue_message import MalformedMessage, Queued, QueuedCommand, QueuedHomeOpened, QueuedPress, read
from interactions.slack import blocks, texts
from interactions.slack.actions import UndoTarget
from interactions.slack.card import card_message, card_modal
from interactions.slack.dashboard import dashboard_message, dashboard_modal

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
        case View() | Card() | Help():
            text = texts.FAILED_VIEW
        case _:
            assert_never(command)
    if queued.view_id and slack.show_modal(queued.view_id, blocks.text_modal(text)):
        return
    slack.respond(queued.response_url, text)


def _saved(queued: QueuedCommand, store: Store) -> bool | None:
    try:
        return store.has_command(queued.owner, queued.command_id, queued.received_at)
    except Exception as error:  # noqa: BLE001 - storage may still be failing: the user hears anyway
        log.warning("Could not check whether failed command %s was saved: %s.", queued.command_id, type(error).__name__)
        return None


def _log(queued: QueuedCommand, command: Log, store: Store, slack: Answers, now: datetime) -> None:
    if now - queued.received_at > CLEAR_MEMORY:  # a clear since then may be forgotten: it must win
        slack.respond(queued.response_url, texts.TOO_OLD)
        return
    store.add(queued.owner, queued.command_id, queued.received_at, command.entries, command.note)
    # A clear typed after this log may have run first (a batch runs messages at once), or this message
    # is a redelivery after a crash, or after the member pressed Undo: the clear or the Undo wins. Checked
    # after writing, so that a clear or Undo running now either sees these rows or is seen here.
    gone = None
    if store.cleared_since(queued.owner, queued.received_at):
        gone = texts.LOGGED_BEFORE_CLEAR
    elif store.undone(queued.owner, queued.command_id):
        gone = texts.LOG_WAS_UNDONE
    if gone is not None:
        store.remove(queued.owner, queued.command_id, queued.received_at, len(command.entries))
        slack.respond(queued.response_url, gone)
        return
    percent = reports.percent_positive(store.ratings_since(queued.owner, queued.received_at - PERCENT_WINDOW))
    tag = log_tag(queued.owner, queued.command_id)
    undo = UndoTarget(queued.command_id, queued.received_at, len(command.entries), tag)
    slack.respond(queued.response_url, texts.logged(percent), blocks.logged(percent, command.entries, undo))


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
