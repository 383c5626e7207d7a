"""Requests as Slack sends them: the slash command form, its text escaped as Slack escapes it; a press of a
button or menu, or a change to an input that dispatches it (``block_actions``), a modal submitted
(``view_submission``), a global shortcut (``shortcut``) and a message shortcut (``message_action``), as the
Interactivity Request URL gets them; the Events API's
``app_home_opened`` and ``url_verification``; and the v0 signature over the body's bytes as they are (Slack's
documented scheme, computed here independently of the slack_sdk verifier the app uses, so that the two check
each other)."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
import urllib.parse
import uuid
from typing import Any, Literal

_TYPED_MENTION = re.compile(r"(?<![\w@])@([UW][A-Z0-9]+)(?![A-Za-z0-9_])")
APP_ID = "A0LOCALAPP"
# Slack's deprecated verification token, still sent; the app must not trust it (it checks the signature).
VERIFICATION_TOKEN = "local-verification-token"  # noqa: S105 - a made-up value


def slack_text(typed: str) -> str:
    """The text as Slack sends it with escaping on: & < > as entities, then @U123 as a mention."""
    escaped = typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _TYPED_MENTION.sub(r"<@\1>", escaped)


def typed_message(typed: str) -> tuple[str, list[dict[str, Any]]]:
    """A message as Slack keeps it once posted: its ``text`` (mentions as ``<@U123>``, escaped as Slack
    escapes it) and the rich text block Slack's composer makes of it, each ``@U123`` a user element."""
    elements: list[dict[str, Any]] = []
    last = 0
    for mention in _TYPED_MENTION.finditer(typed):
        if mention.start() > last:
            elements.append({"type": "text", "text": typed[last : mention.start()]})
        elements.append({"type": "user", "user_id": mention.group(1)})
        last = mention.end()
    if last < len(typed):
        elements.append({"type": "text", "text": typed[last:]})
    section = {"type": "rich_text_section", "elements": elements}
    return slack_text(typed), [{"type": "rich_text", "block_id": uuid.uuid4().hex[:5], "elements": [section]}]


def signed_headers(
    secret: str,
    body: bytes,
    timestamp: int | str | None = None,
    content_type: str = "application/x-www-form-urlencoded",
) -> dict[str, str]:
    """The headers of a signed post: ``v0=HMAC-SHA256(secret, "v0:<timestamp>:<body>")``. ``timestamp``
    defaults to now; a string is sent as it is, number or not. A form by default; events are JSON."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest}",
    }


def command_form(
    user: str, team: str, command: str, text: str, slack_url: str, *, as_typed: bool = True, **fields: str
) -> dict[str, str]:
    """The form Slack posts, with response_url and trigger_id in the stand-in's scheme (they name the user).
    ``text`` is what the member typed, sent as Slack escapes it; or, ``as_typed=False``, already as Slack
    sends it (``<@U123|name>`` mentions, ``&amp;``). ``fields`` replace the form's others (a workspace's own
    names, say)."""
    form = {
        "token": VERIFICATION_TOKEN,
        "team_id": team,
        "team_domain": "local",
        "channel_id": "C0LOCALCHANNEL",
        "channel_name": "local",
        "user_id": user,
        "user_name": "local-user",
        "command": command,
        "text": slack_text(text) if as_typed else text,
        "api_app_id": APP_ID,
        "response_url": f"{slack_url.rstrip('/')}/hooks/{user}/{uuid.uuid4().hex}",
        "trigger_id": f"{user}.{uuid.uuid4().hex}",
    }
    return {**form, **fields}


# --- Interactivity and events ------------------------------------------------------------------------------

JSON_TYPE = "application/json"  # the content type of an event; sign it with signed_headers(..., content_type=)
Surface = Literal["message", "modal", "home"]
# Where Slack puts what a member chose in each kind of element, in ``state.values`` and in a block action.
STATE_NAMES = {
    "plain_text_input": "value",
    "multi_users_select": "selected_users",
    "users_select": "selected_user",
    "datepicker": "selected_date",
    "radio_buttons": "selected_option",
    "static_select": "selected_option",
}


def block_actions_payload(
    *,
    user: str,
    team: str,
    block_id: str,
    element: dict[str, Any],
    option: dict[str, Any] | None = None,
    filled: Any = None,
    surface: Surface = "message",
    view: dict[str, Any] | None = None,
    response_url: str | None = None,
    enterprise_id: str | None = None,
    message_ts: str | None = None,
    message_blocks: list[dict[str, Any]] | None = None,
    channel: str = "C0LOCALCHANNEL",
) -> dict[str, Any]:
    """What Slack sends when ``user`` presses ``element`` (a button, as the app sent it), chooses ``option``
    of it (a menu, radio buttons), or fills it with ``filled`` (an input whose block dispatches its changes:
    the users picked, the text entered, the date chosen), in the block ``block_id``: in an ephemeral message,
    whose press answers through
    ``response_url``, or in a modal or Home tab, ``view`` (as the app sent it, with the ``id`` and ``hash``
    Slack gave it). ``message_blocks``: the message's, for the state of its menus, which Slack sends with a
    press in a message (but not the message itself, for an ephemeral one). The trigger id is in the
    stand-in's scheme, so a modal it opens is known to be ``user``'s."""
    now = time.time()
    action: dict[str, Any] = {
        "type": element.get("type"),
        "action_id": element.get("action_id"),
        "block_id": block_id,
        "action_ts": f"{now:.6f}",
    }
    if element.get("type") == "button":
        action.update({"text": element.get("text"), "value": element.get("value")})
        if element.get("style"):
            action["style"] = element["style"]
        action = {key: value for key, value in action.items() if value is not None}
    elif element.get("type") in STATE_NAMES and STATE_NAMES[str(element.get("type"))] != "selected_option":
        action[STATE_NAMES[str(element["type"])]] = filled
    else:
        if option is None:
            raise ValueError("a menu's press chooses one of its options: give option")
        action["selected_option"] = option
        if element.get("placeholder"):
            action["placeholder"] = element["placeholder"]
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user, "team_id": team},
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": f"{user}.{uuid.uuid4().hex}",
        "team": {"id": team, "domain": "local"},
        "enterprise": {"id": enterprise_id, "name": "Local Grid"} if enterprise_id else None,
        "is_enterprise_install": False,
        "actions": [action],
    }
    if surface == "message":
        if response_url is None:
            raise ValueError("a press in a message comes with the message's response_url")
        payload.update(
            {
                "container": {
                    "type": "message",
                    "message_ts": message_ts or f"{now:.6f}",
                    "channel_id": channel,
                    "is_ephemeral": True,
                },
                "channel": {"id": channel, "name": "local"},
                "response_url": response_url,
                "state": {"values": _menu_states(message_blocks or [], block_id, element, option)},
            }
        )
        return payload
    if view is None or not view.get("id") or not view.get("hash"):
        raise ValueError("a press in a modal or Home tab comes with the view, its id and hash included")
    payload["container"] = {"type": "view", "view_id": view["id"]}
    values = {key: dict(entries) for key, entries in ((view.get("state") or {}).get("values") or {}).items()}
    for menu_block, menus in _menu_states(view.get("blocks") or [], block_id, element, option).items():
        for action_id, entry in menus.items():
            values.setdefault(menu_block, {}).setdefault(action_id, entry)
    if element.get("type") in STATE_NAMES:  # what was just chosen, as the state Slack sends with it
        name = STATE_NAMES[str(element["type"])]
        chosen = option if name == "selected_option" else filled
        values.setdefault(block_id, {})[str(element.get("action_id"))] = {"type": element["type"], name: chosen}
    payload["view"] = {**_view_fields(team, surface, view), "state": {"values": values}}
    return payload


def _view_fields(team: str, surface: Surface, view: dict[str, Any]) -> dict[str, Any]:
    """A view as Slack puts it in a payload: what the app sent, with the fields Slack adds."""
    return {
        "team_id": team,
        "type": "home" if surface == "home" else "modal",
        "private_metadata": "",
        "callback_id": "",
        "external_id": "",
        "app_id": APP_ID,
        "root_view_id": view["id"],
        "previous_view_id": None,
        **view,
    }


def _member(user: str, team: str, trigger: bool = True) -> dict[str, Any]:
    """The fields every interaction payload opens with: who acted, in which workspace, and a trigger id in the
    stand-in's scheme, so that a modal opened with it is known to be ``user``'s."""
    fields: dict[str, Any] = {
        "user": {"id": user, "username": "local-user", "name": "local-user", "team_id": team},
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "team": {"id": team, "domain": "local"},
        "enterprise": None,
        "is_enterprise_install": False,
    }
    return {**fields, "trigger_id": f"{user}.{uuid.uuid4().hex}"} if trigger else fields


def view_submission_payload(*, user: str, team: str, view: dict[str, Any]) -> dict[str, Any]:
    """What Slack sends when ``user`` submits the modal ``view``: the view as the app sent it, with its ``id``,
    ``hash``, ``root_view_id`` and ``previous_view_id``, and ``state.values`` as the member left them (the
    stand-in's ``Shown.as_view()`` gives all of it)."""
    if not view.get("id") or not view.get("hash"):
        raise ValueError("a submission comes with the view, its id and hash included")
    state = {"values": (view.get("state") or {}).get("values") or {}}
    return {
        "type": "view_submission",
        **_member(user, team),
        "view": {**_view_fields(team, "modal", view), "state": state},
        "response_urls": [],
    }


def view_closed_payload(*, user: str, team: str, view: dict[str, Any], cleared: bool = False) -> dict[str, Any]:
    """What Slack sends when ``user`` closes a modal view whose ``notify_on_close`` is set (``cleared``: the
    whole modal at once)."""
    state = {"values": (view.get("state") or {}).get("values") or {}}
    payload = {"type": "view_closed", **_member(user, team, trigger=False)}
    return {**payload, "view": {**_view_fields(team, "modal", view), "state": state}, "is_cleared": cleared}


def shortcut_payload(*, user: str, team: str, callback_id: str) -> dict[str, Any]:
    """A global shortcut, as Slack sends it when ``user`` picks it from the shortcuts menu: no channel, no
    message, a trigger id to open a modal with."""
    return {
        "type": "shortcut",
        "callback_id": callback_id,
        **_member(user, team),
        "action_ts": f"{time.time():.6f}",
    }


def message_action_payload(
    *,
    user: str,
    team: str,
    callback_id: str,
    text: str,
    author: str | None,
    ts: str,
    blocks: list[dict[str, Any]] | None = None,
    channel: str = "C0LOCALCHANNEL",
    response_url: str,
) -> dict[str, Any]:
    """A message shortcut, as Slack sends it when ``user`` picks it from a message's menu: the message (its
    ``text`` as Slack keeps it, ``<@U123>`` mentions included, its rich text ``blocks``, its ``ts``, and its
    ``author``, absent for a message an app posted, which has a ``bot_id`` instead), the channel it is in,
    and a response_url."""
    message: dict[str, Any] = {"type": "message", "text": text, "ts": ts}
    if author is None:
        message.update({"subtype": "bot_message", "bot_id": "B0LOCALBOT"})
    else:
        message["user"] = author
    if blocks is not None:
        message["blocks"] = blocks
    return {
        "type": "message_action",
        "callback_id": callback_id,
        **_member(user, team),
        "action_ts": f"{time.time():.6f}",
        "message_ts": ts,
        "message": message,
        "channel": {"id": channel, "name": "local"},
        "response_url": response_url,
    }


def _menu_states(
    blocks: list[dict[str, Any]], block_id: str, element: dict[str, Any], option: dict[str, Any] | None
) -> dict[str, Any]:
    """The state Slack sends with a press: each menu's chosen option (the one just chosen for the menu
    pressed, else its initial option), by block id then action id."""
    values: dict[str, Any] = {}
    for block in blocks:
        for menu in block.get("elements") or []:
            if not isinstance(menu, dict) or menu.get("type") != "static_select" or not menu.get("action_id"):
                continue
            pressed = block.get("block_id") == block_id and menu.get("action_id") == element.get("action_id")
            chosen = option if pressed else menu.get("initial_option")
            values.setdefault(str(block.get("block_id")), {})[menu["action_id"]] = {
                "type": "static_select",
                "selected_option": chosen,
            }
    return values


def interaction_body(payload: dict[str, Any]) -> bytes:
    """The body Slack posts to the Interactivity Request URL: a form with one field, the payload as JSON."""
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


def event_body(
    team: str,
    user: str,
    event_id: str,
    tab: str = "home",
    view: dict[str, Any] | None = None,
    event_time: int | None = None,
    enterprise_id: str | None = None,
) -> bytes:
    """An ``app_home_opened`` event as the Events API posts it: ``user`` opened the app's ``tab``; ``view`` is
    their Home tab as last published (with its id and hash), which Slack sends only when there is one."""
    at = int(time.time()) if event_time is None else event_time
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user,
        "channel": f"D{user}",
        "tab": tab,
        "event_ts": f"{at}.000100",
    }
    if view is not None:
        event["view"] = view
    body: dict[str, Any] = {
        "token": VERIFICATION_TOKEN,
        "team_id": team,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": at,
    }
    if enterprise_id:
        body["enterprise_id"] = enterprise_id
    return json.dumps(body).encode()


def url_verification_body(challenge: str) -> bytes:
    """The Events API's check of a new Request URL: the app answers with the challenge."""
    return json.dumps({"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}).encode()
