"""The queue side: carry out one queued command and answer the caller.

User mistakes are answered, never raised. Storage errors propagate, so the host retries the message and
finally moves it to the poison queue. Everything here is safe to run twice for the same message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from interactions import grammar, reports
from interactions.queued_command import MalformedMessage, QueuedCommand
from interactions.slack import blocks
from interactions.slack.client import Slack
from interactions.store import CLEAR_MEMORY, EntryStore

log = logging.getLogger(__name__)

PERCENT_WINDOW_DAYS = 30
CLEARED = "Thanks! Your interaction logs are cleared."
LOGGED_BEFORE_CLEAR = "You cleared your logs after typing that, so those interactions were not kept."
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


def logged(percent: int) -> str:
    return f"Got it! You're {percent}% for positive interactions in the last {PERCENT_WINDOW_DAYS} days."


def process(
    raw: str | bytes, store: EntryStore, slack: Slack, now: Callable[[], datetime] = lambda: datetime.now(UTC)
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
        slack.respond(queued.response_url, f"{error}\n{grammar.USAGE}")
        return
    log.info("Processing a %s command.", type(command).__name__.lower())
    if isinstance(command, grammar.Log):
        _log(queued, command, store, slack, now())
    elif isinstance(command, grammar.View):
        _view(queued, command, store, slack)
    elif isinstance(command, grammar.Clear):
        store.clear(queued.owner, queued.received_at)
        slack.respond(queued.response_url, CLEARED)
    else:
        slack.respond(queued.response_url, grammar.HELP, blocks.text_blocks(grammar.HELP))


def report_failure(raw: str | bytes, store: EntryStore, slack: Slack) -> None:
    """A command failed every retry and reached the poison queue: tell the caller what became of it."""
    try:
        queued = QueuedCommand.from_json(raw)
        command = grammar.parse(queued.text, queued.user_id)
    except (MalformedMessage, grammar.UsageError):
        log.error("Dropped a poison message that is not a command this app can report on.")
        return
    log.error("Command %s failed every retry: %s.", queued.command_id, type(command).__name__.lower())
    if isinstance(command, grammar.Log):
        text = {True: FAILED_LOG_SAVED, False: FAILED_NOTHING_SAVED, None: FAILED_LOG_UNKNOWN}[_saved(queued, store)]
    elif isinstance(command, grammar.Clear):
        text = FAILED_CLEAR
    else:
        text = FAILED_VIEW
    if queued.view_id and slack.show_modal(queued.view_id, blocks.modal(blocks.text_blocks(text))):
        return
    slack.respond(queued.response_url, text)


def _saved(queued: QueuedCommand, store: EntryStore) -> bool | None:
    try:
        return store.has_command(queued.owner, queued.command_id, queued.received_at)
    except Exception as error:  # noqa: BLE001 - storage may still be failing: the user hears anyway
        log.warning("Could not check whether failed command %s was saved: %s.", queued.command_id, type(error).__name__)
        return None


def _log(queued: QueuedCommand, command: grammar.Log, store: EntryStore, slack: Slack, now: datetime) -> None:
    if now - queued.received_at > CLEAR_MEMORY:  # a clear since then may be forgotten: it must win
        slack.respond(queued.response_url, TOO_OLD)
        return
    store.add(queued.owner, queued.command_id, queued.received_at, command.entries)
    # A clear typed after this log may have run first (a batch runs messages at once), or this message
    # is a redelivery after a crash: the clear wins. Checked after writing, so that a clear running now
    # either sees these rows or is seen here.
    if store.cleared_since(queued.owner, queued.received_at):
        store.remove(queued.owner, queued.command_id, queued.received_at, len(command.entries))
        slack.respond(queued.response_url, LOGGED_BEFORE_CLEAR)
        return
    totals = reports.Totals()
    for rating in store.ratings_since(queued.owner, queued.received_at - timedelta(days=PERCENT_WINDOW_DAYS)):
        totals.add(rating)
    slack.respond(queued.response_url, logged(totals.percent_positive))


def _view(queued: QueuedCommand, command: grammar.View, store: EntryStore, slack: Slack) -> None:
    entries = store.entries(queued.owner, queued.received_at - timedelta(days=command.days), command.rating)
    rows: Iterable[str]
    if command.mode is grammar.Mode.PERSON:
        people = reports.by_person(entries)
        aggregate, rows, totals = " by person", blocks.person_rows(people), reports.combined(people)
    elif command.mode is grammar.Mode.TIME:
        period = reports.period_for(command.days)
        buckets = reports.by_time(entries, period)
        aggregate, rows, totals = f" by {period.value}", blocks.bucket_rows(buckets, period), reports.combined(buckets)
    else:
        totals = reports.Totals()  # filled in as the rows stream past
        aggregate, rows = "", blocks.entry_rows(entries, totals)
    title = blocks.heading(command.days, command.rating, aggregate)
    empty = blocks.nothing_logged(command.days, command.rating)
    if queued.view_id:
        rows = list(rows)  # kept: a modal closed meanwhile gets the message, within a message's limits
        if slack.show_modal(
            queued.view_id, blocks.modal(blocks.report(title, rows, empty, blocks.MODAL_BLOCKS, totals))
        ):
            return
    slack.respond(queued.response_url, title, blocks.report(title, rows, empty, blocks.MESSAGE_BLOCKS, totals))
