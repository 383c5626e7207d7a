"""The log form's payloads as Slack sends them: the shortcuts that open it, a person picked or named in it,
and its submission, with the form's fields as the member left them."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.views import View

from interactions import log_form as form
from interactions.model import Person
from interactions.slack import actions
from testkit.slack_requests import APP_ID, VERIFICATION_TOKEN


def _base(kind: str, user: str, team: str) -> dict[str, Any]:
    return {
        "type": kind,
        "user": {"id": user, "team_id": team, "username": "local-user"},
        "team": {"id": team, "domain": "local"},
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": f"{user}.{uuid.uuid4().hex}",
        "is_enterprise_install": False,
        "enterprise": None,
    }


def global_shortcut(user: str, team: str, callback_id: str = actions.LOG_SHORTCUT) -> dict[str, Any]:
    return {**_base("shortcut", user, team), "callback_id": callback_id, "action_ts": f"{time.time():.6f}"}


def message_shortcut(
    user: str, team: str, message: Mapping[str, Any], response_url: str, callback_id: str = actions.MESSAGE_SHORTCUT
) -> dict[str, Any]:
    """``message`` as Slack sends it (``user``, ``ts``, ``text``, ``blocks``; ``bot_id`` for an app's)."""
    return {
        **_base("message_action", user, team),
        "callback_id": callback_id,
        "message_ts": message.get("ts"),
        "message": {"type": "message", **message},
        "channel": {"id": "C0LOCALCHANNEL", "name": "local"},
        "response_url": response_url,
        "action_ts": f"{time.time():.6f}",
    }


def values(
    picked: Sequence[str] = (),
    names: str = "",
    ratings: Mapping[Person, str] | None = None,
    met_on: str | None = None,
    note: str = "",
) -> dict[str, Any]:
    """The form's ``state.values`` as Slack sends them: ``ratings`` "+" or "-" by person."""
    state: dict[str, Any] = {
        form.PEOPLE: {actions.FORM_PEOPLE: {"type": "multi_users_select", "selected_users": list(picked)}},
        form.NAMES: {actions.FORM_NAMES: {"type": "plain_text_input", "value": names or None}},
        form.DATE: {actions.FORM_DATE: {"type": "datepicker", "selected_date": met_on}},
        form.NOTE: {actions.FORM_NOTE: {"type": "plain_text_input", "value": note or None}},
    }
    for person, sign in (ratings or {}).items():
        option = {"text": {"type": "plain_text", "text": sign}, "value": sign}
        state[form.rating_field(person)] = {actions.FORM_RATING: {"type": "radio_buttons", "selected_option": option}}
    return state


def _view(view: View | dict[str, Any], view_id: str, view_hash: str, state: dict[str, Any]) -> dict[str, Any]:
    return {
        **(view.to_dict() if isinstance(view, View) else view),
        "id": view_id,
        "hash": view_hash,
        "team_id": "T0TEAM",
        "app_id": APP_ID,
        "root_view_id": view_id,
        "state": {"values": state},
    }


def submission(
    user: str, team: str, view: View | dict[str, Any], view_id: str, state: dict[str, Any]
) -> dict[str, Any]:
    """The form ``view`` (as the app sent it) submitted by ``user``, its fields as ``state`` says."""
    return {
        **_base("view_submission", user, team),
        "view": _view(view, view_id, f"{time.time():.6f}.form", state),
        "response_urls": [],
    }


def form_press(
    user: str,
    team: str,
    view: View | dict[str, Any],
    view_id: str,
    view_hash: str,
    action_id: str,
    state: dict[str, Any],
) -> dict[str, Any]:
    """A person picked (``actions.FORM_PEOPLE``) or named (``FORM_NAMES``) in the form ``view``."""
    action = {"type": "multi_users_select", "action_id": action_id, "block_id": "b", "action_ts": f"{time.time():.6f}"}
    return {
        **_base("block_actions", user, team),
        "container": {"type": "view", "view_id": view_id},
        "view": _view(view, view_id, view_hash, state),
        "actions": [action],
        "state": {"values": state},
    }
