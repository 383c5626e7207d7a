"""The queue side: carry out one queued command and answer the caller.

User mistakes are answered, never raised. Storage errors propagate, so the host retries the message and
finally moves it to the poison queue. Everything here is safe to run twice for the same message.
"""

from __future__ import annotations

import io
import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View as ModalView

from interactions import export, grammar, reports
from interactions.model import CLEAR_MEMORY, PERCENT_WINDOW_DAYS, Clear, Entry, Export, Log, Mode, Rated, View
from interactions.queue_message import MalformedMessage, QueuedCommand
from interactions.slack import blocks, texts

log = logging.getLogger(__name__)


class Store(Protocol):
    """The entries of every member (``interactions.store.EntryStore``)."""

    def add(self, owner: str, command_id: str, at: datetime, rated: Sequence[Rated]) -> None: ...

    def has_command(self, owner: str, command_id: str, at: datetime) -> bool: ...

    def entries(self, owner: str, since: datetime, rating: int | None = None) -> Iterator[Entry]: ...

    def ratings_since(self, owner: str, since: datetime) -> Iterator[int]: ...

    def clear(self, owner: str, at: datetime) -> int: ...

    def cleared_since(self, owner: str, at: datetime) -> bool: ...

    def remove(self, owner: str, command_id: str, at: datetime, count: int) -> None: ...

    def all_entries(self, owner: str) -> Iterator[Entry]: ...


class Answers(Protocol):
    """Slack, as the worker answers through it (``interactions.slack.client.Slack``)."""

    def respond(self, response_url: str, text: str, blocks: Sequence[Block] | None = None) -> bool: ...

    def show_modal(self, view_id: str, view: ModalView) -> bool: ...

    @property
    def can_send_files(self) -> bool: ...

    def send_file(self, user_id: str, file: io.IOBase, filename: str, title: str) -> bool: ...


def process(
    raw: str | bytes, store: Store, slack: Answers, now: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> None:
    try:
        queued = QueuedCommand.from_json(raw)
    except MalformedMessage as error:
        # Nobody can be answered and no retry can help: drop it, saying why (never what it held).
        log.error("Dropped a malformed queue message: %s.", error)
        return
    try:
        command = grammar.parse(queued.text, queued.user_id)
    except grammar.UsageError as error:
        slack.respond(queued.response_url, texts.mistake(error.mistake))
        return
    log.info("Processing a %s command.", type(command).__name__.lower())
    if isinstance(command, Log):
        _log(queued, command, store, slack, now())
    elif isinstance(command, View):
        _view(queued, command, store, slack)
    elif isinstance(command, Clear):
        store.clear(queued.owner, queued.received_at)
        slack.respond(queued.response_url, texts.CLEARED)
    elif isinstance(command, Export):
        _export(queued, store, slack)
    else:
        slack.respond(queued.response_url, texts.HELP, blocks.text_blocks(texts.HELP))


def report_failure(raw: str | bytes, store: Store, slack: Answers) -> None:
    """A command failed every retry and reached the poison queue: tell the caller what became of it."""
    try:
        queued = QueuedCommand.from_json(raw)
        command = grammar.parse(queued.text, queued.user_id)
    except (MalformedMessage, grammar.UsageError):
        log.error("Dropped a poison message that is not a command this app can report on.")
        return
    log.error("Command %s failed every retry: %s.", queued.command_id, type(command).__name__.lower())
    if isinstance(command, Log):
        saved = _saved(queued, store)
        text = {True: texts.FAILED_LOG_SAVED, False: texts.FAILED_NOTHING_SAVED, None: texts.FAILED_LOG_UNKNOWN}[saved]
    elif isinstance(command, Clear):
        text = texts.FAILED_CLEAR
    elif isinstance(command, Export):
        text = texts.FAILED_EXPORT
    else:
        text = texts.FAILED_VIEW
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
    store.add(queued.owner, queued.command_id, queued.received_at, command.entries)
    # A clear typed after this log may have run first (a batch runs messages at once), or this message
    # is a redelivery after a crash: the clear wins. Checked after writing, so that a clear running now
    # either sees these rows or is seen here.
    if store.cleared_since(queued.owner, queued.received_at):
        store.remove(queued.owner, queued.command_id, queued.received_at, len(command.entries))
        slack.respond(queued.response_url, texts.LOGGED_BEFORE_CLEAR)
        return
    totals = reports.Totals()
    for rating in store.ratings_since(queued.owner, queued.received_at - timedelta(days=PERCENT_WINDOW_DAYS)):
        totals.add(rating)
    percent = totals.percent_positive
    slack.respond(queued.response_url, texts.logged(percent), blocks.logged(percent, command.entries))


def _view(queued: QueuedCommand, command: View, store: Store, slack: Answers) -> None:
    entries = store.entries(queued.owner, queued.received_at - timedelta(days=command.days), command.rating)
    rows: Iterable[str]
    if command.mode is Mode.PERSON:
        people = reports.by_person(entries)
        aggregate, rows, totals = "person", blocks.person_rows(people, command.rating), reports.combined(people)
    elif command.mode is Mode.TIME:
        period = reports.period_for(command.days)
        buckets = reports.by_time(entries, period)
        rows = blocks.bucket_rows(buckets, period, command.rating)
        aggregate, totals = period.value, reports.combined(buckets)
    else:
        totals = reports.Totals()  # filled in as the rows stream past
        aggregate, rows = "", blocks.entry_rows(entries, totals)
    title = texts.heading(command.days, command.rating, aggregate)
    empty = texts.nothing_logged(command.days, command.rating)
    note = texts.VIEW_NOT_LOG if command.could_be_log else None
    if queued.view_id:
        rows = list(rows)  # kept: a modal closed meanwhile gets the message, within a message's limits
        report = blocks.report(title, rows, empty, blocks.MODAL_BLOCKS, totals, rating=command.rating, note=note)
        if slack.show_modal(queued.view_id, blocks.modal(report)):
            return
    report = blocks.report(title, rows, empty, blocks.MESSAGE_BLOCKS, totals, rating=command.rating, note=note)
    slack.respond(queued.response_url, title, report)


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
