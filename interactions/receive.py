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
from functools import cache
from typing import Any, Literal, TypeVar, assert_never

from interactions import grammar
from interactions.model import Card, Clear, Command, Export, Help, Log, LogForm, Person, View
from interactions.ports import Enqueue, Messages, Modals, OutcomeUnknown
from interactions.pseudonym import owner_key, view_tag
from interactions.queue_message import QueuedCommand, QueuedFormLog, QueuedHomeOpened, QueuedPress, rated_json
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
    if isinstance(parsed, LogForm):
        return _log_form_command(command, settings, modals, received)

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
    """Answer one request to /api/slack/interactions: a press of a button or a choice in a menu of the app's,
    a shortcut of the app's, or its log form submitted. Slack shows nothing of a press's acknowledgement; the
    worker answers in the message, modal or Home tab pressed. ``messages`` makes the client that says so in a
    message when the press could not be queued; ``modals`` (given when a bot token is set) the one that opens
    and redraws the log form, and opens a person's card over a modal or the Home tab."""
    received = now()
    got = _payload(body, headers, settings, received, replays, slack_request.interaction, "press")
    if isinstance(got, Reply):
        return got
    asked = _Asked(got, settings, enqueue, messages, modals, received)
    handle = _interactions().get((got.kind, got.key), _press if got.kind == "block_actions" else _not_ours)
    try:
        return handle(asked)
    except slack_request.MalformedPayload as error:
        what = _WHAT.get(got.kind, "press")
        log.warning("Refused a malformed %s: %s.", what, type(error).__name__)
        return Reply(400, {"error": f"malformed {what}"})


_WHAT = {"block_actions": "press", "shortcut": "shortcut", "message_action": "shortcut", "view_submission": "form"}


@dataclass(frozen=True)
class _Asked:
    """One signed interactivity request, and what answers it."""

    got: slack_request.Interaction
    settings: Settings
    enqueue: Enqueue
    messages: Callable[[], Messages] | None
    modals: Callable[[], Modals] | None
    received: float

    def owner(self, member: slack_request.Member) -> str:
        return owner_key(self.settings.pseudonym_key, member.team_id, member.user_id, member.enterprise_id)


def _press(asked: _Asked) -> Reply:
    """A press of one of the app's buttons or menus, queued for the worker."""
    from interactions.slack import actions

    settings, enqueue, messages, modals = asked.settings, asked.enqueue, asked.messages, asked.modals
    received = asked.received
    pressed = slack_request.pressed(asked.got.payload)
    if pressed.action_id not in actions.ACTIONS:
        return Reply(200)  # a control of another version of the app's views: nothing to do
    if _outside(settings, pressed.response_url):
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
    if pressed.surface == "modal" and not _pressers_modal(owner, pressed.view_id, pressed.view_tag):
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


def _outside(settings: Settings, response_url: str | None) -> bool:
    if response_url is not None and not response_url.startswith(settings.response_url_prefixes):
        log.warning("Refused a press whose response_url is outside SLACK_RESPONSE_URL_PREFIXES.")
        return True
    return False


def _pressers_modal(owner: str, view_id: str | None, tag: str | None) -> bool:
    # A modal is updated by its id, which a press names: only a modal the worker tagged as the presser's own
    # may be, so that no press shows one member's logs in another's modal, nor changes what it shows.
    if view_id is None or tag != view_tag(owner, view_id):
        log.warning("Refused a press in a modal that is not the presser's.")
        return False
    return True


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
        case LogForm():
            raise AssertionError("the log form is opened in the ack and never queued")
        case _:
            assert_never(command)


# --- The log form: opened, redrawn and submitted in the ack ---------------------------------------------------
# Only Slack's trigger_id opens a modal, and it lives 3 seconds: the form is opened here, and so redrawn, from
# what the payload carries alone. A submission is checked here too, so that a mistake is shown under its
# field; a valid one is queued, and no storage is touched before the worker's turn.


@cache
def _interactions() -> dict[tuple[str, str], Callable[[_Asked], Reply]]:
    """What answers each payload the log form takes part in, by its type and route key; every other press
    goes to the worker."""
    from interactions.slack import actions

    return {
        ("shortcut", actions.LOG_SHORTCUT): _open_by_shortcut,
        ("message_action", actions.MESSAGE_SHORTCUT): _open_by_shortcut,
        ("block_actions", actions.OPEN_LOG_FORM): _open_by_button,
        ("block_actions", actions.FORM_PEOPLE): _redraw_form,
        ("block_actions", actions.FORM_NAMES): _redraw_form,
        ("block_actions", actions.FORM_RATING): lambda _asked: Reply(200),  # kept by Slack until submitted
        ("view_submission", actions.LOG_FORM): _submit_form,
    }


def _not_ours(_asked: _Asked) -> Reply:
    return Reply(200)  # a shortcut or view of another version of the app: nothing to do


def _open_by_shortcut(asked: _Asked) -> Reply:
    opening = slack_request.shortcut(asked.got.payload)
    return _open_form(asked, opening, opening.picked, [], opening.sent_at)


def _open_by_button(asked: _Asked) -> Reply:
    from interactions.slack import actions

    opening = slack_request.form_button(asked.got.payload)
    if _outside(asked.settings, opening.response_url):
        return Reply(400, {"error": "unknown response_url"})
    if opening.in_modal and not _pressers_modal(asked.owner(opening.member), opening.view_id, opening.view_tag):
        return Reply(400, {"error": "not the presser's view"})
    try:
        person = actions.parse_log_form_value(opening.value)
    except actions.BadValue as error:
        log.warning("Refused a press whose value this app did not write: %s.", error)
        return Reply(400, {"error": "unknown value"})
    if person is None:
        return _open_form(asked, opening, (), [], None)
    if person.mention:
        return _open_form(asked, opening, (person.name,), [], None)
    return _open_form(asked, opening, (), [person], None)


def _open_form(
    asked: _Asked,
    opening: slack_request.Opening,
    picked: tuple[str, ...],
    named: list[Person],
    sent: datetime | None,
) -> Reply:
    """Open the form with ``picked`` members and ``named`` people in it, dated ``sent`` (else today, UTC); a
    member who cannot have it is told so where they can be."""
    from interactions.slack import texts

    if asked.modals is None:
        return _tell(asked, opening.response_url, texts.FORM_NEEDS_BOT)
    opened = _form_opened(
        asked.modals(),
        asked.owner(opening.member),
        opening.member.user_id,
        opening.trigger_id,
        picked,
        named,
        sent or datetime.fromtimestamp(asked.received, UTC),
        push=opening.in_modal,
    )
    return Reply(200) if opened else _tell(asked, opening.response_url, texts.FORM_NOT_OPENED)


def _form_opened(
    modals: Modals,
    owner: str,
    user_id: str,
    trigger_id: str,
    picked: tuple[str, ...],
    named: list[Person],
    met: datetime,
    push: bool = False,
) -> bool:
    import uuid

    from interactions import log_form as form
    from interactions.model import MAX_PEOPLE
    from interactions.slack.log_form import form_view, names_field

    others = tuple(user for user in picked if user != user_id)[:MAX_PEOPLE]
    filled = form.Filled(picked=others, names=names_field(named), met_on=met.date().isoformat())
    view = form_view(filled, form.people(filled, user_id), form.metadata(owner, uuid.uuid4().hex))
    opened = modals.push_modal(trigger_id, view) if push else modals.open_modal(trigger_id, view)
    return opened is not None


def _tell(asked: _Asked, response_url: str | None, text: str) -> Reply:
    """Say why the form did not open, in the message the member used, if any: a global shortcut or a button
    in a modal or the Home tab has nowhere to say it."""
    log.info("The log form was not opened.")
    if response_url and asked.messages is not None and response_url.startswith(asked.settings.response_url_prefixes):
        asked.messages().respond_at_once(response_url, text)
    return Reply(200)


def _redraw_form(asked: _Asked) -> Reply:
    """A person picked or named: one choice of + or − for each person, at once. Updated only if the form is
    as the member saw it (its hash), so that a slow redraw never overwrites a newer one."""
    from interactions import log_form as form
    from interactions.model import MAX_PEOPLE
    from interactions.slack.log_form import form_view

    seen = slack_request.form_seen(asked.got.payload)
    if not form.is_owners(asked.owner(seen.member), seen.metadata):
        log.warning("Refused a press in a log form that is not the presser's.")
        return Reply(400, {"error": "not the presser's view"})
    if asked.modals is None:
        return Reply(200)
    shown = form.people(seen.filled, seen.member.user_id)[:MAX_PEOPLE]
    asked.modals().replace_modal_at_once(seen.view_id, form_view(seen.filled, shown, seen.metadata), seen.view_hash)
    return Reply(200)


def _submit_form(asked: _Asked) -> Reply:
    """A form submitted: its mistakes under their fields, or its log queued and the form saying so."""
    from interactions import log_form as form
    from interactions.slack import log_form as form_blocks
    from interactions.slack import texts

    seen = slack_request.form_seen(asked.got.payload)
    owner = asked.owner(seen.member)
    if not form.is_owners(owner, seen.metadata):
        log.warning("Refused a log form that is not the submitter's.")
        return Reply(400, {"error": "not the presser's view"})
    received_at = datetime.fromtimestamp(asked.received, UTC)
    checked = form.check(seen.filled, seen.member.user_id, received_at)
    if not isinstance(checked, form.FormLog):
        return Reply(200, form_blocks.errors(checked))
    message = QueuedFormLog(
        command_id=uuid.uuid4().hex,
        user_id=seen.member.user_id,
        owner=owner,
        received_at=received_at,
        view_id=seen.view_id,
        met_on=checked.met_on.isoformat(),
        rated=rated_json(checked.rated),
        note=checked.note,
    )
    try:
        asked.enqueue(message.to_json())
    except Exception as error:  # noqa: BLE001 - whatever broke, the member must hear of it
        log.error("Could not queue a log form: %s.", type(error).__name__)
        if isinstance(error, OutcomeUnknown):
            return Reply(200, form_blocks.update(form_blocks.said_view(texts.FORM_MAYBE_QUEUED)))
        # Nothing was queued: the form stays as filled, to be sent again.
        return Reply(200, {"response_action": "errors", "errors": {form.PEOPLE: texts.FORM_NOT_QUEUED}})
    return Reply(200, form_blocks.update(form_blocks.logging_view()))


def _log_form_command(
    command: slack_request.SlashCommand, settings: Settings, modals: Callable[[], Modals] | None, received: float
) -> Reply:
    """``/interactions log``: the form, opened as the command is acknowledged."""
    from interactions.slack import texts

    if modals is None:
        return _say(texts.FORM_NEEDS_BOT)
    owner = owner_key(settings.pseudonym_key, command.team_id, command.user_id, command.enterprise_id)
    met = datetime.fromtimestamp(received, UTC)
    if command.trigger_id and _form_opened(modals(), owner, command.user_id, command.trigger_id, (), [], met):
        return Reply(200)
    return _say(texts.FORM_NOT_OPENED)
