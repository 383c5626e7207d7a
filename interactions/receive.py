"""The HTTP side: take a slash command from Slack, check it, queue it, and acknowledge within 3 seconds.

It touches no table; storage work happens in the queue worker.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from interactions import grammar
from interactions.model import Clear, Command, Export, Help, Log, View
from interactions.pseudonym import owner_key
from interactions.queue_message import QueuedCommand
from interactions.settings import Settings
from interactions.slack import request as slack_request
from interactions.slack import texts

log = logging.getLogger(__name__)


_REPLAYS = slack_request.ReplayGuard()


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any] | None = None  # JSON for Slack; None for an empty acknowledgement


Enqueue = Callable[[str], None]  # raises OutcomeUnknown when the message may be queued all the same


class OutcomeUnknown(Exception):
    """The message went out but no answer came back: it may be on the queue, or not."""


class Modals(Protocol):
    def open_loading_modal(self, trigger_id: str) -> str | None: ...

    def show_text_in_modal(self, view_id: str, text: str) -> bool: ...


def receive(
    body: bytes,
    headers: Mapping[str, str],
    settings: Settings,
    enqueue: Enqueue,
    modals: Callable[[], Modals] | None = None,
    now: Callable[[], float] = time.time,
    replays: slack_request.ReplayGuard = _REPLAYS,
) -> Reply:
    """Answer one request to /api/slack/commands. ``enqueue`` raises when the queue is out of reach;
    ``modals`` (given when a bot token is set) makes the Slack client that opens a view's loading modal:
    made only for a view, so that a log's ack never loads the Web API client and Block Kit."""
    oversize = len(body) > slack_request.MAX_BODY_BYTES
    if not oversize and slack_request.is_ssl_check(body):
        return Reply(200)
    received = now()
    if not slack_request.is_signed(settings.signing_secret, body, headers, lambda: received):
        return Reply(413 if oversize else 401)
    # From here on the request is Slack's: every refusal is a 200 with a reason, which Slack shows the member.
    if oversize:
        return _say(texts.TOO_LARGE)
    if not replays.first_time(headers, received):
        return Reply(401)
    try:
        command = slack_request.slash_command(body)
    except (slack_request.MissingFields, UnicodeDecodeError):
        return _say(texts.MISSING_FIELDS)
    if command.command not in slack_request.COMMANDS:
        return _say(texts.WRONG_COMMAND)
    if not command.response_url.startswith(settings.response_url_prefixes):
        log.warning("Refused a command whose response_url is outside SLACK_RESPONSE_URL_PREFIXES.")
        return _say(texts.UNKNOWN_RESPONSE_URL)
    try:
        parsed = grammar.parse(command.text, command.user_id)
    except grammar.UsageError as error:
        return _say(texts.mistake(error.mistake))  # storage plays no part: answered here, nothing queued
    if isinstance(parsed, Help):
        return _say(texts.HELP)
    if isinstance(parsed, Export) and not settings.bot_token:
        return _say(texts.EXPORT_NEEDS_BOT)  # the file can only be sent with it: nothing queued

    view_id = None
    if modals is not None and command.trigger_id and isinstance(parsed, View):
        view_id = modals().open_loading_modal(command.trigger_id)
    message = QueuedCommand(
        command_id=uuid.uuid4().hex,
        user_id=command.user_id,
        owner=owner_key(settings.pseudonym_key, command.team_id, command.user_id, command.enterprise_id),
        text=command.text,
        response_url=command.response_url,
        received_at=datetime.fromtimestamp(received, UTC),
        view_id=view_id,
    )
    try:
        enqueue(message.to_json())
    except Exception as error:  # noqa: BLE001 - whatever broke, the user must hear of it
        log.error("Could not queue a command: %s.", type(error).__name__)
        text = _not_queued(parsed, maybe_queued=isinstance(error, OutcomeUnknown))
        if modals is not None and view_id is not None and modals().show_text_in_modal(view_id, text):
            return Reply(200)  # said in the modal, which would otherwise say "loading" forever: said once
        return _say(text)
    return Reply(200)


def _say(text: str) -> Reply:
    return Reply(200, slack_request.ephemeral(text))


def _not_queued(command: Command, maybe_queued: bool) -> str:
    """What the member reads when their command could not be queued. Told to try again a log that may be
    queued already, a member would log the same people twice."""
    if isinstance(command, Log):
        return texts.MAYBE_RECORDED if maybe_queued else texts.COULD_NOT_RECORD
    if isinstance(command, View):
        return texts.COULD_NOT_SHOW
    if isinstance(command, Clear):
        return texts.COULD_NOT_CLEAR
    return texts.COULD_NOT_EXPORT
