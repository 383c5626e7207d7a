"""Presses and events as Slack sends them, for the parts that drive the app's buttons: each built by testkit's
builders from a control the app really rendered (read back from the Slack stand-in), dressed with the run's
workspace, signed with its secret and posted to the HTTP front. A press in a message carries a response_url
ending in the harness's own reference, so that its answer can be traced to it."""

from __future__ import annotations

import copy
import itertools
import json
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

from interactions.slack import actions
from local.block_kit import Control
from local.slack_standin import Shown
from prove.env import Stack
from prove.traffic import EVENTS_PATH, INTERACTIONS_PATH, Caller, Command, People, User
from testkit import slack_requests
from testkit.waiting import happened

Json = dict[str, Any]


@dataclass(frozen=True)
class Pressable:
    """A control as the member saw it: where it stood (a copy of the message, modal or Home tab) and what it is."""

    user: str
    shown: Shown
    control: Control


class Presser:
    """Posts signed presses, events and commands to the HTTP front, and reads what the member was shown."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.caller = Caller(stack.workspace, stack.http.port, stack.slack.url)
        self._serial = itertools.count(1)

    # --- Building -----------------------------------------------------------------------------------------

    def response_url(self, user: str, index: int, ref: str) -> str:
        """A press's response_url for the message at ``index`` of what ``user`` was shown, ending in ``ref``."""
        return f"{self.stack.slack.url}/hooks/{user}/message/{index}/{ref}"

    def payload(self, pressable: Pressable, ref: str, user: str | None = None) -> Json:
        """The ``block_actions`` payload of pressing ``pressable`` (as ``user``, by default its own member)."""
        shown, control = pressable.shown, pressable.control
        presser = user or pressable.user
        message = shown.kind == "message"
        payload = slack_requests.block_actions_payload(
            user=presser,
            team=self.stack.workspace.team_id,
            block_id=control.block_id,
            element=control.element,
            option=control.option,
            surface=shown.kind,
            view=shown.as_view() if not message else None,
            response_url=self.response_url(pressable.user, shown.index, ref) if message else None,
            message_blocks=shown.payload.get("blocks") if message else None,
            channel=self.stack.workspace.channel_id,
        )
        return self.dressed(payload)

    def dressed(self, payload: Json) -> Json:
        """The payload with the run's own workspace in it, as Slack fills it in: its team domain, app id and
        verification token, which the privacy check then looks for where they must not be."""
        workspace = self.stack.workspace
        payload = copy.deepcopy(payload)
        payload["token"], payload["api_app_id"] = workspace.verification_token, workspace.api_app_id
        if isinstance(payload.get("team"), dict):
            payload["team"]["domain"] = workspace.team_domain
        if isinstance(payload.get("channel"), dict):
            payload["channel"]["name"] = workspace.channel_name
        return payload

    def event(self, user: str, event_id: str) -> Json:
        """An ``app_home_opened`` event of ``user``, with the run's workspace in it."""
        event: Json = json.loads(slack_requests.event_body(self.stack.workspace.team_id, user, event_id))
        event["token"], event["api_app_id"] = self.stack.workspace.verification_token, self.stack.workspace.api_app_id
        return event

    def form(self, payload: Any) -> bytes:
        """The interactivity form of ``payload`` (JSON, or text as it is), with a field no two requests share,
        so that no two signatures are alike (a second alike would be refused as a replay)."""
        text = payload if isinstance(payload, str) else json.dumps(payload)
        return urllib.parse.urlencode({"payload": text, "n": str(next(self._serial))}).encode()

    def json_body(self, document: Any) -> bytes:
        """An event body: ``document`` as JSON (or text as it is), made unique by trailing white space."""
        text = document if isinstance(document, str) else json.dumps(document)
        return text.encode() + b" " * (next(self._serial) % 4096)

    # --- Sending ----------------------------------------------------------------------------------------------

    def signed(self, body: bytes, timestamp: int | None = None, json_type: bool = False) -> dict[str, str]:
        kind = slack_requests.JSON_TYPE if json_type else "application/x-www-form-urlencoded"
        return slack_requests.signed_headers(self.stack.workspace.signing_secret, body, timestamp, kind)

    def post_press(self, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        return self.caller.post(body, self.signed(body) if headers is None else headers, path=INTERACTIONS_PATH)

    def post_event(self, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        signed = self.signed(body, json_type=True) if headers is None else headers
        return self.caller.post(body, signed, path=EVENTS_PATH)

    def press(self, pressable: Pressable, ref: str) -> int:
        return self.post_press(self.form(self.payload(pressable, ref)))[0]

    # --- What the member was shown ---------------------------------------------------------------------------

    def command(self, user: User, command: Command, timeout: float = 30, **fields: str) -> Shown | None:
        """Send ``command`` (``fields`` replace the form's: ``trigger_id=""`` asks for a message, not a modal);
        what the member was shown in answer, once it came."""
        before = len(self.stack.slack.shown(user.id))
        form = {**self.caller.form(user, command), **fields}
        body = urllib.parse.urlencode(form).encode()
        status, answer = self.caller.post(body, self.caller.signed(body))
        if status != 200 or answer.strip():
            return None
        shown = self.stack.slack.wait_for(user.id, before + 1, timeout)
        return copy.deepcopy(shown[before]) if len(shown) > before else None

    def open_home(self, user: str, event_id: str, timeout: float = 30) -> Shown | None:
        """Open ``user``'s Home tab as Slack does; the tab once the app has published it."""
        published = self.stack.slack.home(user)
        before = published.hash if published is not None else None
        status, _ = self.post_event(self.json_body(self.event(user, event_id)))
        if status != 200:
            return None
        home = self.stack.slack.wait_for_home(user, lambda h: h.hash != before, timeout)
        return copy.deepcopy(home) if home is not None else None


@dataclass
class Member:
    """A member with two logs, the dashboard as a message and as a modal, and their Home tab."""

    user: User
    owner: str
    controls: list[Pressable]
    undo_values: list[str]

    def state(self, stack: Stack) -> tuple[int, dict[str, str]]:
        """What would show a change: the stand-in's version of what they see, and their entries' ETags."""
        rows = stack.table().query_entities("PartitionKey eq @o", parameters={"o": self.owner})
        return stack.slack.version(self.user.id), {e["RowKey"]: str(e.metadata.get("etag")) for e in rows}


def member(presser: Presser, people: People) -> Member:
    """A new member, once they have logged twice, seen the dashboard in a modal and in a message, and opened
    their Home tab."""
    user = people.add_user()
    logs = [presser.command(user, people.log(user)) for _ in range(2)]
    modal = presser.command(user, people.view(user))
    message = presser.command(user, people.view(user), trigger_id="")
    home = presser.open_home(user.id, f"Ev{people.next_ref().upper()}")
    if any(shown is None for shown in (*logs, modal, message, home)):
        raise RuntimeError("a member was not answered: their logs, dashboards or Home tab")
    controls = pressables(user.id, *logs, modal, message, home)
    undo_values = [str(p.control.value) for p in controls if p.control.action_id == actions.UNDO]
    return Member(user, presser.caller.owner(user.id), controls, undo_values)


def pressables(user: str, *shown: Shown | None) -> list[Pressable]:
    """The controls a worker carries out: Log opens the log form in the acknowledgement instead."""
    return [
        Pressable(user, s, control)
        for s in shown
        if s is not None
        for control in s.controls()
        if control.action_id != actions.OPEN_LOG_FORM
    ]


def hooks(stack: Stack, ref: str) -> list[str]:
    """The texts delivered through response_urls ending in ``ref``, in order."""
    return [c.text for c in stack.slack.calls() if c.method == "hook" and c.ref == ref and c.status == 200]


def settle(stack: Stack, done: Any, timeout: float = 60) -> bool:
    """Wait until ``done()`` holds and the queue is empty (then a moment more, for stragglers)."""
    settled = happened(lambda: bool(done()) and stack.waiting() == 0, timeout, every=0.1)
    time.sleep(0.3)
    return settled
