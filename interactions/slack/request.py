"""What arrives from Slack: signature checks, the slash command form, and the payloads of presses
(interactivity) and of the Events API. Replays are refused by ``interactions.slack.replays``."""

from __future__ import annotations

import hashlib
import hmac
import importlib
import importlib.util
import json
import re
import string
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeGuard
from urllib.parse import parse_qs

from interactions.model import MAX_NAME_CODE_POINTS, MAX_PEOPLE

if TYPE_CHECKING:
    from slack_sdk.signature import Clock, SignatureVerifier

    from interactions.log_form import Filled


def _slack_sdk_signature() -> ModuleType:
    """slack_sdk's signature module, loaded without running ``slack_sdk/__init__.py``: that file imports
    the WebClient and all of Block Kit, tens of milliseconds on the first ack of a cold worker, while this
    module needs only hashlib and hmac. Falls back to the plain import if slack_sdk's layout changes."""
    if "slack_sdk.signature" in sys.modules:
        return sys.modules["slack_sdk.signature"]
    package = importlib.util.find_spec("slack_sdk")  # locates the package without importing it
    if package is not None and package.origin is not None:
        path = Path(package.origin).with_name("signature") / "__init__.py"
        spec = importlib.util.spec_from_file_location("interactions.slack._slack_sdk_signature", path)
        if spec is not None and spec.loader is not None and path.exists():
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
    return importlib.import_module("slack_sdk.signature")


_signature = _slack_sdk_signature()
if not TYPE_CHECKING:
    Clock, SignatureVerifier = _signature.Clock, _signature.SignatureVerifier

COMMANDS = ("/interactions", "/interaction")
# The largest command within the app's own limits, form-encoded: every person a name of the most code points,
# each 4 bytes of UTF-8 sent as %XX (12 bytes), with a rating and spaces; then the form's other fields.
# Twice that leaves room to spare, well below what a host takes.
_LONGEST_TEXT = MAX_PEOPLE * (MAX_NAME_CODE_POINTS * 12 + 16)
_OTHER_FIELDS = 4 * 1024
MAX_BODY_BYTES = 2 * (_LONGEST_TEXT + _OTHER_FIELDS)
REQUIRED_FIELDS = ("command", "text", "user_id", "team_id", "response_url")


class _InjectedClock(Clock):
    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now

    def now(self) -> float:
        return self._now()


class _BytesVerifier(SignatureVerifier):
    """slack_sdk's check of Slack's signature, over the body's bytes as Slack signs them: slack_sdk reads
    them as UTF-8 text first, and so would call a signed body that is not UTF-8 unsigned, when it is only
    malformed."""

    def generate_signature(self, *, timestamp: str, body: str | bytes) -> str | None:
        if isinstance(body, bytes) and not is_utf8(body):
            format_req = b"v0:" + timestamp.encode() + b":" + body
            return "v0=" + hmac.new(self.signing_secret.encode(), format_req, hashlib.sha256).hexdigest()
        return super().generate_signature(timestamp=timestamp, body=body)


def is_utf8(body: bytes) -> bool:
    """Every form and payload Slack sends is."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def is_signed(
    signing_secret: str, body: bytes, headers: Mapping[str, str], now: Callable[[], float] = time.time
) -> bool:
    """True when Slack signed this body with our secret less than 5 minutes ago."""
    verifier = _BytesVerifier(signing_secret, clock=_InjectedClock(now))
    try:
        return verifier.is_valid_request(body, headers)
    except ValueError:  # a timestamp that is not a number
        return False


_ID_FIRST = frozenset(string.ascii_uppercase + string.digits)
_ID_REST = frozenset(string.ascii_letters + string.digits + "._-")


def is_id(value: object) -> TypeGuard[str]:
    """The shape of Slack's ids (users, teams, views, events): an upper-case letter or digit, then letters,
    digits and ``._-``; at most 64. Checked without a regex, so that a cold worker's first ack compiles none."""
    return (
        isinstance(value, str) and 0 < len(value) <= 64 and value[0] in _ID_FIRST and all(c in _ID_REST for c in value)
    )


@dataclass(frozen=True)
class SlashCommand:
    command: str
    text: str
    user_id: str
    team_id: str
    response_url: str
    trigger_id: str | None
    enterprise_id: str | None = None  # set in an Enterprise Grid org


class MissingFields(ValueError):
    """A field of a slash command is missing, or not of the shape Slack gives it."""


def is_ssl_check(body: bytes) -> bool:
    return b"ssl_check=" in body and parse_qs(body.decode("utf-8", "replace")).get("ssl_check") == ["1"]


def slash_command(body: bytes) -> SlashCommand:
    """The fields this app uses from a signed slash command form; everything else is dropped here."""
    form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
    values = {name: form.get(name, [None])[0] for name in (*REQUIRED_FIELDS, "trigger_id", "enterprise_id")}
    missing = [name for name in REQUIRED_FIELDS if values[name] is None or (name != "text" and not values[name])]
    if missing:
        raise MissingFields(", ".join(missing))
    values["enterprise_id"] = values["enterprise_id"] or None  # Slack sends it empty outside a Grid org
    # The ids make the member's pseudonym and are where the answers go: a signed value of another shape was
    # not written by Slack, and is refused as presses' are.
    malformed = [name for name in ("user_id", "team_id") if not is_id(values[name])]
    if values["enterprise_id"] is not None and not is_id(values["enterprise_id"]):
        malformed.append("enterprise_id")
    if malformed:
        raise MissingFields(", ".join(malformed))
    return SlashCommand(**values)  # type: ignore[arg-type]


def ephemeral(text: str) -> dict[str, Any]:
    return {"response_type": "ephemeral", "text": text}


# --- Interactivity and events ----------------------------------------------------------------------------
# A press in a modal or the Home tab carries the whole view: up to 100 blocks of up to 3000 characters. JSON
# may write a character as a \uXXXX surrogate pair, 12 bytes, of which the form encodes each backslash as
# %5C: 16 bytes; then the payload's other fields. What Slack sends is far smaller; an app event carries the
# Home view too.
_VIEW_BLOCKS, _TEXT_CHARACTERS = 100, 3000
MAX_PAYLOAD_BYTES = _VIEW_BLOCKS * _TEXT_CHARACTERS * 16 + 64 * 1024


class NotOurs(ValueError):
    """Signed by Slack, but not a payload this app handles: acknowledged and left alone."""


class MalformedPayload(ValueError):
    """Signed by Slack, but not what Slack sends: refused with the reason."""


@dataclass(frozen=True)
class Press:
    """A press of one of the app's buttons or a choice in one of its menus (a ``block_actions`` payload)."""

    user_id: str
    team_id: str
    enterprise_id: str | None
    action_id: str
    value: str
    surface: str  # "message", "modal" or "home"
    response_url: str | None  # a message's
    view_id: str | None  # a modal's or Home tab's
    view_hash: str | None
    view_tag: str | None = None  # a modal's private_metadata: whose it is (interactions.pseudonym.view_tag)
    # When it was made, as Slack's action_ts says ("1712345678.123456"); None when Slack said nothing usable.
    pressed_at: str | None = None
    # In a modal or the Home tab, the option each menu shows as chosen when the press was made, by action_id.
    chosen: dict[str, str] = field(default_factory=dict)
    trigger_id: str | None = None  # opens or pushes a modal, for 3 seconds


@dataclass(frozen=True)
class HomeOpened:
    event_id: str
    user_id: str
    team_id: str
    enterprise_id: str | None
    view_hash: str | None


@dataclass(frozen=True)
class UrlVerification:
    challenge: str


def press(body: bytes) -> Press:
    """The press a signed interactivity request carries; only the fields this app uses are kept."""
    got = interaction(body)
    if got.kind != "block_actions":
        raise NotOurs(got.kind[:40])
    return pressed(got.payload)


def pressed(payload: dict[str, Any]) -> Press:
    """The press a ``block_actions`` payload carries."""
    user, team = _object(payload, "user"), _object(payload, "team", required=False)
    action = _first_action(payload)
    if action.get("type") == "static_select":
        value = _object(action, "selected_option").get("value")
    else:
        value = action.get("value")
    surface, response_url, view = _pressed_in(payload)
    return Press(
        user_id=_id(user.get("id"), "user"),
        team_id=_id(team.get("id") or user.get("team_id"), "team"),
        enterprise_id=_enterprise(payload.get("enterprise")),
        action_id=_text(action.get("action_id"), "action_id", 255),
        value=_text(value, "value", 2000),
        surface=surface,
        response_url=response_url,
        view_id=_id(view.get("id"), "view") if surface != "message" else None,
        view_hash=_hash(view.get("hash")) if surface != "message" else None,
        view_tag=_tag(view.get("private_metadata")) if surface == "modal" else None,
        pressed_at=_action_ts(action.get("action_ts")),
        chosen=_chosen(view.get("state")) if surface != "message" else {},
        trigger_id=_trigger(payload.get("trigger_id")),
    )


# --- The log form and what opens it --------------------------------------------------------------------
@dataclass(frozen=True)
class Interaction:
    """A signed interactivity payload, by what routes it: its type, and the callback id of the shortcut used
    or the view submitted, or the action id of the control pressed."""

    kind: str  # "block_actions", "shortcut", "message_action" or "view_submission"
    key: str
    payload: dict[str, Any]


_ROUTE_KEYS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "block_actions": lambda payload: _first_action(payload).get("action_id"),
    "shortcut": lambda payload: payload.get("callback_id"),
    "message_action": lambda payload: payload.get("callback_id"),
    "view_submission": lambda payload: _object(payload, "view").get("callback_id"),
}


def interaction(body: bytes) -> Interaction:
    """The payload a signed interactivity request carries, and what routes it."""
    form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
    payload = _json_object(form.get("payload", [""])[0])
    kind = payload.get("type")
    route = _ROUTE_KEYS.get(kind) if isinstance(kind, str) else None
    if kind is None or route is None:
        raise NotOurs(str(kind)[:40])
    key = route(payload)
    return Interaction(kind, key if isinstance(key, str) else "", payload)


@dataclass(frozen=True)
class Member:
    user_id: str
    team_id: str
    enterprise_id: str | None


@dataclass(frozen=True)
class Opening:
    """What opens the log form: a shortcut, or a press of a button that opens it, with whom it picks."""

    member: Member
    trigger_id: str
    picked: tuple[str, ...] = ()  # members the message named (its author, its mentions)
    sent_at: datetime | None = None  # when the message was sent
    value: str = ""  # a button's
    in_modal: bool = False  # pressed in a modal: the form goes on top of it
    response_url: str | None = None  # a message shortcut's or a message button's
    view_id: str | None = None  # the modal pressed in
    view_tag: str | None = None  # its private_metadata: whose it is (interactions.pseudonym.view_tag)


@dataclass(frozen=True)
class FormSeen:
    """The log form as it stands: as submitted, or as a person was just picked or named in it."""

    member: Member
    view_id: str
    view_hash: str | None
    metadata: str  # whose form it is (``interactions.slack.log_form.form_metadata``)
    filled: Filled


MAX_FORM_TEXT = 3000  # what a text field of the form takes; the app asks for less
_MENTIONS_READ = 1000  # more mentions than a message would hold: the form picks the first 25 anyway
_DEPTH = 12  # deeper than any rich text Slack sends


def shortcut(payload: dict[str, Any]) -> Opening:
    """A global shortcut (nobody picked) or a message shortcut (the message's author and the members it
    mentions picked); nothing of the channel is kept."""
    message = _object(payload, "message", required=payload.get("type") == "message_action")
    picked: list[str] = []
    author = message.get("user")
    if is_id(author) and not message.get("bot_id"):  # an app's message names no author to log
        picked.append(author)
    text = message.get("text")
    if isinstance(text, str):
        picked += [match.group(1) for match in _mention().finditer(text, 0, MAX_PAYLOAD_BYTES)][:_MENTIONS_READ]
    picked += _block_users(message.get("blocks"), _DEPTH)
    response_url = payload.get("response_url")
    return Opening(
        member=_member(payload),
        trigger_id=_text(payload.get("trigger_id"), "trigger_id", 255),
        picked=tuple(dict.fromkeys(user for user in picked if is_id(user))),
        sent_at=_sent_at(message.get("ts")) if message else None,
        response_url=response_url if isinstance(response_url, str) and message else None,
    )


def form_button(payload: dict[str, Any]) -> Opening:
    """A press of a button that opens the form, in a message, a modal or the Home tab."""
    action = _first_action(payload)
    value = action.get("value", "")
    if not isinstance(value, str) or len(value) > 2000:
        raise MalformedPayload("value")
    surface, response_url, view = _pressed_in(payload)
    return Opening(
        member=_member(payload),
        trigger_id=_text(payload.get("trigger_id"), "trigger_id", 255),
        value=value,
        in_modal=surface == "modal",
        response_url=response_url,
        view_id=_id(view.get("id"), "view") if surface == "modal" else None,
        view_tag=_tag(view.get("private_metadata")) if surface == "modal" else None,
    )


def _pressed_in(payload: dict[str, Any]) -> tuple[str, str | None, dict[str, Any]]:
    """Where a control was pressed: "message", "modal" or "home"; a message's response_url; the view."""
    container = _object(payload, "container")
    view = _object(payload, "view", required=False)
    surface = (
        "message"
        if container.get("type") == "message"
        else {"modal": "modal", "home": "home"}.get(str(view.get("type")), "")
    )
    if not surface:
        raise MalformedPayload("container")
    response_url = payload.get("response_url") if surface == "message" else None
    if surface == "message" and not isinstance(response_url, str):
        raise MalformedPayload("response_url")
    return surface, response_url, view


def form_seen(payload: dict[str, Any]) -> FormSeen:
    """The form a ``view_submission`` or a press in the form carries, its fields as they stand."""
    view = _object(payload, "view")
    state = _object(view, "state")
    values = _object(state, "values")

    def field(block: str, action: str) -> dict[str, Any]:
        return _object(_object(values, block, required=False), action, required=False)

    from interactions import log_form as form
    from interactions.log_form import Filled
    from interactions.slack import actions

    picked = field(form.PEOPLE, actions.FORM_PEOPLE).get("selected_users") or []
    if not isinstance(picked, list) or len(picked) > MAX_PEOPLE or not all(is_id(user) for user in picked):
        raise MalformedPayload("people")
    ratings: dict[str, str] = {}
    for block_id in values:
        if isinstance(block_id, str) and block_id.startswith(form.RATING_PREFIX) and len(ratings) <= MAX_PEOPLE:
            option = _object(field(block_id, actions.FORM_RATING), "selected_option", required=False)
            if option.get("value") in form.RATINGS:
                ratings[block_id] = option["value"]
    met_on = field(form.DATE, actions.FORM_DATE).get("selected_date")
    return FormSeen(
        member=_member(payload),
        view_id=_id(view.get("id"), "view"),
        view_hash=_hash(view.get("hash")),
        metadata=_text(view.get("private_metadata"), "private_metadata", 64),
        filled=Filled(
            picked=tuple(picked),
            names=_typed(field(form.NAMES, actions.FORM_NAMES).get("value"), "names"),
            ratings=ratings,
            met_on=met_on if isinstance(met_on, str) and len(met_on) <= 10 else None,
            note=_typed(field(form.NOTE, actions.FORM_NOTE).get("value"), "note"),
        ),
    )


def _sent_at(value: Any) -> datetime | None:
    """A message's ts as a time; None for one that is no time (or beyond what a date holds)."""
    ts = _action_ts(value)
    try:
        return datetime.fromtimestamp(float(ts), UTC) if ts is not None else None
    except (ValueError, OverflowError, OSError):
        return None


def _member(payload: dict[str, Any]) -> Member:
    user, team = _object(payload, "user"), _object(payload, "team", required=False)
    return Member(
        user_id=_id(user.get("id"), "user"),
        team_id=_id(team.get("id") or user.get("team_id"), "team"),
        enterprise_id=_enterprise(payload.get("enterprise")),
    )


def _first_action(payload: dict[str, Any]) -> dict[str, Any]:
    actions = payload.get("actions")
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
        raise MalformedPayload("actions")
    return actions[0]


def _typed(value: Any, name: str) -> str:
    """A text field's value: absent or null when left empty."""
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_FORM_TEXT:
        raise MalformedPayload(name)
    return value


def _block_users(value: Any, depth: int) -> list[str]:
    """The members rich text blocks mention, in order."""
    if depth == 0:
        return []
    if isinstance(value, dict):
        if value.get("type") == "user":
            user_id = value.get("user_id")
            return [user_id] if is_id(user_id) else []
        return _block_users(value.get("elements"), depth - 1)
    if isinstance(value, list):
        found = [user for item in value[:_MENTIONS_READ] for user in _block_users(item, depth - 1)]
        return found[:_MENTIONS_READ]
    return []


@cache
def _mention() -> re.Pattern[str]:
    return re.compile(r"<@([UW][A-Z0-9]{1,63})(?:\|[^>]*)?>")


def event(body: bytes) -> UrlVerification | HomeOpened:
    """The Events API request a signed body carries: a URL check, or a member opening the app's Home tab."""
    payload = _json_object(body.decode("utf-8"))
    if payload.get("type") == "url_verification":
        return UrlVerification(_text(payload.get("challenge"), "challenge", 255))
    if payload.get("type") != "event_callback":
        raise NotOurs(str(payload.get("type"))[:40])
    event = _object(payload, "event")
    if event.get("type") != "app_home_opened" or event.get("tab") != "home":
        raise NotOurs(str(event.get("type"))[:40])
    view = _object(event, "view", required=False)
    return HomeOpened(
        event_id=_id(payload.get("event_id"), "event_id"),
        user_id=_id(event.get("user"), "user"),
        team_id=_id(payload.get("team_id"), "team"),
        enterprise_id=_enterprise(payload.get("enterprise_id")),
        view_hash=_hash(view.get("hash")) if view else None,
    )


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as error:  # RecursionError: nested deeper than the parser goes
        raise MalformedPayload("not JSON") from error
    if not isinstance(value, dict):
        raise MalformedPayload("not an object")
    return value


def _object(payload: dict[str, Any], name: str, required: bool = True) -> dict[str, Any]:
    value = payload.get(name)
    if isinstance(value, dict):
        return value
    if value is None and not required:
        return {}
    raise MalformedPayload(name)


def _text(value: Any, name: str, limit: int) -> str:
    if not isinstance(value, str) or not value or len(value) > limit:
        raise MalformedPayload(name)
    return value


def _id(value: Any, name: str) -> str:
    if not is_id(value):
        raise MalformedPayload(name)
    return value


def _hash(value: Any) -> str | None:
    # Printable ASCII, as Slack's hashes are: a value that is not is no hash of Slack's, and none is sent.
    return value if isinstance(value, str) and 0 < len(value) <= 128 and all("!" <= c <= "~" for c in value) else None


def _action_ts(value: Any) -> str | None:
    if not isinstance(value, str) or len(value) > 32:
        return None
    seconds, _, fraction = value.partition(".")
    return value if seconds.isascii() and seconds.isdigit() and (not fraction or fraction.isdigit()) else None


_MENUS = 10  # more menus than any view of the app's has


def _chosen(state: Any) -> dict[str, str]:
    """The options a view's menus show as chosen, from its ``state.values`` (by block id, then action id)."""
    chosen: dict[str, str] = {}
    values = state.get("values") if isinstance(state, dict) else None
    for block in values.values() if isinstance(values, dict) else ():
        for action_id, menu in block.items() if isinstance(block, dict) else ():
            option = menu.get("selected_option") if isinstance(menu, dict) else None
            value = option.get("value") if isinstance(option, dict) else None
            if isinstance(value, str) and len(value) <= 2000 and len(action_id) <= 255 and len(chosen) < _MENUS:
                chosen[action_id] = value
    return chosen


def _trigger(value: Any) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= 255 and value.isprintable() else None


def _tag(value: Any) -> str | None:
    return value if isinstance(value, str) and len(value) <= 64 else None


def _enterprise(value: Any) -> str | None:
    """A Grid org's id: a string in events, an object in interactivity payloads; absent or null elsewhere."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if is_id(value) else None
