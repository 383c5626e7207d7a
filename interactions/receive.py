"""The HTTP side: take a slash command, a press of a button or an event from Slack, check it, queue it, and
acknowledge within 3 seconds.

It touches no table; storage work happens in the queue worker.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar, assert_never

from interactions import grammar
from interactions.model import Card, Clear, Command, Export, Help, Log, View
from interactions.ports import Enqueue, Messages, Modals, OutcomeUnknown
from interactions.pseudonym import owner_key, view_tag
from interactions.queue_message import QueuedCommand, QueuedHomeOpened, QueuedPress
from interactions.settings import Settings
from interactions.slack import request as slack_request
from interactions.slack.replays import Memory, ReplayGuard

log = logging.getLogger(__name__)
T = TypeVar("T")


_REPLAYS = ReplayGuard()
# Slack retries an event it thinks was not received (at once, after a minute, after five) and gives up within
# the hour; each retry is signed anew, so the event's own id is what tells it was seen.
EVENT_MEMORY_SECONDS = 60 * 60
_EVENTS = Memory()


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any] | None = None  # JSON for Slack; None for an empty acknowledgement


def receive(
    body: bytes,
    headers: Mapping[str, str],
    settings: Settings,
    enqueue: Enqueue,
    modals: Callable[[], Modals] | None = None,
    now: Callable[[], float] = time.time,
    replays: ReplayGuard = _REPLAYS,
) -> Reply:
    """Answer one request to /api/slack/commands. ``enqueue`` raises when the queue is out of reach;
    ``modals`` (given when a bot token is set) makes the Slack client that opens a view's loading modal:
    made only for a view, so that a log's ack never loads the Web API client and Block Kit."""
    oversize = len(body) > slack_request.MAX_BODY_BYTES
    if not oversize and slack_request.is_ssl_check(body):
        return Reply(200)
    received = now()
    refused = _refused(body, headers, settings, received, replays, oversize)
    if refused is not None:
        return refused
    if not oversize and not slack_request.is_utf8(body):
        return Reply(400, {"error": "not UTF-8"})  # signed, yet no form Slack sends: nothing to show a member
    # From here on the request is Slack's: every refusal is a 200 with a reason, which Slack shows the member.
    understood = _understood(body, settings, oversize)
    if not isinstance(understood, tuple):
        return _say(_said(understood))
    command, parsed = understood

    view_id = None
    if modals is not None and command.trigger_id and isinstance(parsed, View | Card):
        view_id = _open_loading_modal(modals(), command.trigger_id)
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
        if modals is not None and view_id is not None and _say_in_modal(modals(), view_id, text):
            return Reply(200)  # said in the modal, which would otherwise say "loading" forever: said once
        return _say(text)
    return Reply(200)


def receive_press(
    body: bytes,
    headers: Mapping[str, str],
    settings: Settings,
    enqueue: Enqueue,
    messages: Callable[[], Messages] | None = None,
    now: Callable[[], float] = time.time,
    replays: ReplayGuard = _REPLAYS,
    modals: Callable[[], Modals] | None = None,
) -> Reply:
    """Answer one request to /api/slack/interactions: a press of a button or a choice in a menu of the app's.
    Slack shows nothing of the acknowledgement's body; the worker answers in the message, modal or Home tab
    pressed. ``messages`` makes the client that says so in a message when the press could not be queued;
    ``modals`` (given when a bot token is set) the one that opens a person's card over a modal or the Home
    tab."""
    from interactions.slack import actions

    received = now()
    pressed = _payload(body, headers, settings, received, replays, slack_request.press, "press")
    if isinstance(pressed, Reply):
        return pressed
    if pressed.action_id not in actions.ACTIONS:
        return Reply(200)  # a control of another version of the app's views: nothing to do
    if pressed.response_url is not None and not pressed.response_url.startswith(settings.response_url_prefixes):
        log.warning("Refused a press whose response_url is outside SLACK_RESPONSE_URL_PREFIXES.")
        return Reply(400, {"error": "unknown response_url"})
    try:
        _check_value(pressed.action_id, pressed.value)
        value = pressed.value
        if pressed.action_id in actions.MENUS:
            value = actions.chosen_value(value, {k: v for k, v in pressed.chosen.items() if k in actions.MENUS})
    except actions.BadValue as error:
        log.warning("Refused a press whose value this app did not write: %s.", error)
        return Reply(400, {"error": "unknown value"})
    owner = owner_key(settings.pseudonym_key, pressed.team_id, pressed.user_id, pressed.enterprise_id)
    # A modal is updated by its id, which a press names: only a modal the worker tagged as the presser's own
    # may be, so that no press shows one member's logs in another's modal, nor changes what it shows.
    if pressed.surface == "modal" and (pressed.view_id is None or pressed.view_tag != view_tag(owner, pressed.view_id)):
        log.warning("Refused a press in a modal that is not the presser's.")
        return Reply(400, {"error": "not the presser's view"})
    surface, view_id, view_hash = pressed.surface, pressed.view_id, pressed.view_hash
    if pressed.action_id == actions.OPEN_CARD and surface != "message" and modals is not None and pressed.trigger_id:
        # The card opens in a modal of its own, over the one pressed in or the Home tab, which stay as they were.
        card_view = _open_card_modal(modals(), pressed.trigger_id, push=surface == "modal")
        if card_view is not None:
            surface, view_id, view_hash = "modal", card_view, None
    message = QueuedPress(
        press_id=uuid.uuid4().hex,
        user_id=pressed.user_id,
        owner=owner,
        received_at=datetime.fromtimestamp(received, UTC),
        action_id=pressed.action_id,
        value=value,
        surface=surface,
        response_url=pressed.response_url,
        view_id=view_id,
        view_hash=view_hash,
        pressed_at=pressed.pressed_at,
    )
    try:
        enqueue(message.to_json())
    except Exception as error:  # noqa: BLE001 - whatever broke, the member must hear of it where they can
        log.error("Could not queue a press: %s.", type(error).__name__)
        if pressed.response_url is not None and messages is not None:
            from interactions.slack.texts import COULD_NOT_PRESS

            messages().respond_at_once(pressed.response_url, COULD_NOT_PRESS)
            return Reply(200)
        return Reply(503)  # Slack marks the control as failed, which is all a modal or the Home tab can show
    return Reply(200)


def receive_event(
    body: bytes,
    headers: Mapping[str, str],
    settings: Settings,
    enqueue: Enqueue,
    now: Callable[[], float] = time.time,
    replays: ReplayGuard = _REPLAYS,
    events: Memory = _EVENTS,
) -> Reply:
    """Answer one request to /api/slack/events: Slack's check of the URL, or a member opening the app's Home
    tab, whose dashboard is published by the worker. An event is queued once, however often Slack retries it."""
    received = now()
    got = _payload(body, headers, settings, received, replays, slack_request.event, "event")
    if isinstance(got, Reply):
        return got
    if isinstance(got, slack_request.UrlVerification):
        return Reply(200, {"challenge": got.challenge})
    if not settings.bot_token:
        return Reply(200)  # the Home tab can only be published with it
    if not events.first_time(got.event_id, received + EVENT_MEMORY_SECONDS, received):
        log.info("Acknowledged a retried event without queuing it again.")
        return Reply(200)
    message = QueuedHomeOpened(
        event_id=got.event_id,
        user_id=got.user_id,
        owner=owner_key(settings.pseudonym_key, got.team_id, got.user_id, got.enterprise_id),
        received_at=datetime.fromtimestamp(received, UTC),
        view_hash=got.view_hash,
    )
    try:
        enqueue(message.to_json())
    except Exception as error:  # noqa: BLE001 - Slack retries a failed event: this one is not seen yet
        log.error("Could not queue an event: %s.", type(error).__name__)
        events.forget(got.event_id)
        return Reply(503)
    return Reply(200)


def _payload(
    body: bytes,
    headers: Mapping[str, str],
    settings: Settings,
    received: float,
    replays: ReplayGuard,
    read: Callable[[bytes], T],
    what: str,
) -> T | Reply:
    """What a signed interactivity or events request carries, as ``read`` reads it; or the reply that refuses
    it (unsigned, a replay, too large, malformed) or acknowledges it as none of the app's business."""
    oversize = len(body) > slack_request.MAX_PAYLOAD_BYTES
    refused = _refused(body, headers, settings, received, replays, oversize)
    if refused is not None:
        return refused
    if oversize:
        return Reply(413)
    try:
        return read(body)
    except slack_request.NotOurs:
        return Reply(200)
    except (slack_request.MalformedPayload, UnicodeDecodeError) as error:
        log.warning("Refused a malformed %s: %s.", what, type(error).__name__)
        return Reply(400, {"error": f"malformed {what}"})


def _refused(
    body: bytes,
    headers: Mapping[str, str],
    settings: Settings,
    received: float,
    replays: ReplayGuard,
    oversize: bool,
) -> Reply | None:
    """The refusal of a request that is not Slack's, or a copy of one already taken; None for a fresh one."""
    if not slack_request.is_signed(settings.signing_secret, body, headers, lambda: received):
        return Reply(413 if oversize else 401)
    if not replays.first_time(headers, received):
        return Reply(401)
    return None


def _check_value(action_id: str, value: str) -> None:
    """Refuse, before queuing, a value that is not one this app wrote for that control."""
    from interactions.slack import actions

    if action_id == actions.UNDO:
        actions.parse_undo(value)
    elif action_id in (actions.OPEN_CARD, actions.FORGET_PERSON):
        actions.parse_person(value)
    elif action_id == actions.CARD_OLDER:
        actions.parse_card_older(value)
    else:
        actions.parse_dashboard(value)


# Block Kit is imported for a view's ack alone: a log's never loads it.
def _open_loading_modal(modals: Modals, trigger_id: str) -> str | None:
    from interactions.slack.blocks import loading_modal

    return modals.open_modal(trigger_id, loading_modal())


def _open_card_modal(modals: Modals, trigger_id: str, push: bool) -> str | None:
    from interactions.slack.blocks import loading_modal

    return (modals.push_modal if push else modals.open_modal)(trigger_id, loading_modal())


def _say_in_modal(modals: Modals, view_id: str, text: str) -> bool:
    from interactions.slack.blocks import text_modal

    return modals.replace_modal_at_once(view_id, text_modal(text))


# Why a signed command is answered at once rather than queued; worded by ``_said``.
Refusal = Literal["too large", "missing fields", "wrong command", "unknown response_url", "help", "export needs bot"]


def _understood(
    body: bytes, settings: Settings, oversize: bool
) -> tuple[slack_request.SlashCommand, Command] | Refusal | grammar.Mistake:
    """The command a signed form carries and what it asks to queue; or why it is answered at once instead."""
    if oversize:
        return "too large"
    try:
        command = slack_request.slash_command(body)
    except slack_request.MissingFields:
        return "missing fields"
    if command.command not in slack_request.COMMANDS:
        return "wrong command"
    if not command.response_url.startswith(settings.response_url_prefixes):
        log.warning("Refused a command whose response_url is outside SLACK_RESPONSE_URL_PREFIXES.")
        return "unknown response_url"
    try:
        parsed = grammar.parse(command.text, command.user_id)
    except grammar.UsageError as error:
        return error.mistake  # storage plays no part: answered here, nothing queued
    if isinstance(parsed, Help):
        return "help"
    if isinstance(parsed, Export) and not settings.bot_token:
        return "export needs bot"  # the file can only be sent with it: nothing queued
    return command, parsed


def _said(refusal: Refusal | grammar.Mistake) -> str:
    """The words of an answer given at once: loaded only then, so that a queued command's first ack on a
    cold worker does without them."""
    from interactions.slack import texts

    if not isinstance(refusal, str):
        return texts.mistake(refusal)
    return {
        "too large": texts.TOO_LARGE,
        "missing fields": texts.MISSING_FIELDS,
        "wrong command": texts.WRONG_COMMAND,
        "unknown response_url": texts.UNKNOWN_RESPONSE_URL,
        "help": texts.HELP,
        "export needs bot": texts.EXPORT_NEEDS_BOT,
    }[refusal]


def _say(text: str) -> Reply:
    return Reply(200, slack_request.ephemeral(text))


def _not_queued(command: Command, maybe_queued: bool) -> str:
    """What the member reads when their command could not be queued. Told to try again a log that may be
    queued already, a member would log the same people twice."""
    from interactions.slack import texts

    match command:
        case Log():
            return texts.MAYBE_RECORDED if maybe_queued else texts.COULD_NOT_RECORD
        case View() | Card():
            return texts.COULD_NOT_SHOW
        case Clear():
            return texts.COULD_NOT_CLEAR
        case Export():
            return texts.COULD_NOT_EXPORT
        case Help():
            raise AssertionError("help is answered in the ack and never queued")
        case _:
            assert_never(command)
