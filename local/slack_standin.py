"""A local HTTP server that plays Slack: it takes answers posted to ``response_url``, the Web API's
``views.open`` / ``views.push`` / ``views.update`` / ``views.publish``, and files shared in a user's direct
conversation with the app (``local.slack_files``), and keeps what each user was shown and sent.

Response URLs it hands out look like ``http://HOST:PORT/hooks/<user id>/<anything>``; trigger ids look
like ``<user id>.<anything>``, so each modal is known to belong to a user. Every request is also kept as a
``Call``, with that ``<anything>``: a caller that puts its own id there can tell which command was answered.

A press of a button in a message comes with ``action_response_url(user, index)``, naming the message at that
index of ``shown(user)``: an answer to it with ``replace_original`` replaces that message in place, with
``delete_original`` removes it, and without either adds a message, as a command's response_url does.
Modals and Home tabs have a ``hash``, new on each change; an update or publish given another hash than the
current one is refused with ``hash_conflict``, as Slack refuses it.

A modal is a stack of at most three views: ``views.open`` starts one, ``views.push`` (a trigger id of the
member whose modal is open) adds a view on top, and closing the top view shows the one under it. Each view
keeps the values the member chose in its inputs (``state``, as Slack sends it): what the app set first, then
what the member picked, typed or chose (``choose``); an update keeps them where the block and action ids stay.
Submitting a view (``deliver_submission``) posts the ``view_submission`` to the app, as Slack does, and plays
the app's answer: ``errors`` shown against their input blocks, ``update`` replacing the view, ``push`` adding
one, ``clear`` closing the modal, and an empty answer closing the view submitted.

Other processes read it over HTTP: ``GET /shown/<user>``, ``/home/<user>``, ``/view/<view id>``,
``/stack/<user>`` (their open modal's views, the one shown last), ``/version/<user>`` (a number that grows
with each change to what that user sees) and ``/files/<user>``; ``/files/<user>/<file id>`` is one file's
content as it was uploaded, for a person to read. They act as the member over HTTP too:
``POST /choose/<view id>`` (JSON ``block_id``, ``action_id``, ``entry``: the state Slack keeps for that
element), ``/close/<view id>`` (the member closes the view on top), and ``/submit/<view id>`` (JSON ``url``,
``headers``, ``body``: the signed ``view_submission`` to post to the app).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from local.block_kit import (
    MESSAGE_BLOCKS,
    MODAL_BLOCKS,
    controls,
    initial_state,
    input_block_ids,
    problems,
    with_block_ids,
)
from local.json_http import send_json
from local.slack_display import Shown
from local.slack_files import Files, SharedFile
from testkit.slack_requests import interaction_body, signed_headers, view_submission_payload

__all__ = [
    "HASH_CONFLICT",
    "Call",
    "Failure",
    "SharedFile",
    "Shown",
    "SlackStandIn",
    "Submitted",
    "action_response_url",
]

Answer = tuple[int, dict[str, Any], dict[str, str]]
HASH_CONFLICT = 409  # the status a refused hash is recorded with; Slack answers HTTP 200 with ok false
STACK_DEPTH = 3  # views in one modal, Slack's limit
SUBMIT_TIMEOUT_SECONDS = 3  # Slack waits this long for the app's answer to a submission


@dataclass
class Failure:
    status: int
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Call:
    """One request the stand-in answered: to a response_url ("hook"), or to the Web API's views methods."""

    at: float  # time.monotonic() on arrival
    method: str  # "hook", a Web API method, "upload" (the bytes of a file), or "view_submission" (to the app)
    user: str  # "" for views.update, which names only the view, and for an upload
    ref: str  # the response_url's last segment, the trigger id's part after the user, or the view id
    status: int
    text: str = ""  # a hook's text; a submission's outcome
    view_id: str | None = None  # the view opened, updated or published


@dataclass(frozen=True)
class Submitted:
    """What came of a submission: the app's HTTP status and answer, and what the member saw because of it:
    "errors", "updated", "pushed", "closed" (the view submitted), "cleared" (the whole modal), "refused" (an
    answer Slack does not take: the modal stays, with Slack's own complaint), "failed" (no answer in time, or
    not a 200), or "gone" (the view was no longer open: nothing was sent)."""

    outcome: str
    status: int = 0
    answer: dict[str, Any] = field(default_factory=dict)
    view_id: str | None = None  # the view shown after it, if any: updated, pushed, or under the one closed


def action_response_url(base_url: str, user: str, index: int) -> str:
    """The response_url Slack puts in the payload of a press in the message at ``index`` of what ``user``
    was shown."""
    return f"{base_url.rstrip('/')}/hooks/{user}/message/{index}/{uuid.uuid4().hex}"


class _Server(ThreadingHTTPServer):
    # socketserver's backlog of 5 would make a burst of answers wait out SYN retransmits; Slack does not.
    request_queue_size = 512
    daemon_threads = True


class SlackStandIn:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._lock = threading.Condition()  # reentrant: a waiter's predicate may read the stand-in
        self._shown: dict[str, list[Shown]] = defaultdict(list)
        self._modals: dict[str, Shown] = {}
        self._modal_users: dict[str, str] = {}
        self._stacks: dict[str, list[str]] = {}  # by user: their open modal's views, the one shown last
        self._homes: dict[str, Shown] = {}
        self._publishes: dict[str, int] = defaultdict(int)
        self._versions: dict[str, int] = defaultdict(int)
        self._failures: list[Failure] = []
        self._user_failures: dict[str, list[Failure]] = defaultdict(list)
        self._calls: list[Call] = []
        self._view_ids = itertools.count(1)
        self._files = Files()
        self.requests = 0
        self._server = _Server((host, port), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, name="slack-stand-in", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, user: str) -> str:
        return f"{self.url}/hooks/{user}/{uuid.uuid4().hex}"

    def action_response_url(self, user: str, index: int) -> str:
        """The response_url of a press in the message at ``index`` of ``shown(user)``."""
        return action_response_url(self.url, user, index)

    @staticmethod
    def trigger_id(user: str) -> str:
        return f"{user}.{uuid.uuid4().hex}"

    def start(self) -> SlackStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, *failures: Failure, user: str | None = None) -> None:
        """Answer the next response_url posts with these failures, in order; with ``user``, only the posts to
        that user's response_urls (they go first), so other users' answers get through meanwhile."""
        with self._lock:
            (self._failures if user is None else self._user_failures[user]).extend(failures)

    def calls(self) -> list[Call]:
        """Every request answered so far, in order of arrival."""
        with self._lock:
            return list(self._calls)

    def files(self, user: str) -> list[SharedFile]:
        """The files shared in ``user``'s direct conversation with the app, in order."""
        with self._lock:
            return self._files.shared(user)

    def shown(self, user: str) -> list[Shown]:
        with self._lock:
            return list(self._shown[user])

    def home(self, user: str) -> Shown | None:
        """``user``'s Home tab as last published, or None before the first publish."""
        with self._lock:
            return self._homes.get(user)

    def modal(self, view_id: str) -> Shown | None:
        """A modal as it stands now (opened with nothing to press or fill in, its payload has ``loading`` until
        the app fills it)."""
        with self._lock:
            return self._modals.get(view_id)

    def view(self, view_id: str) -> Shown | None:
        """A modal or Home tab by its view id."""
        with self._lock:
            return self._modals.get(view_id) or next((h for h in self._homes.values() if h.view_id == view_id), None)

    def version(self, user: str) -> int:
        """A number that grows with each change to what ``user`` sees: a message added, replaced or removed,
        a modal opened or updated, their Home tab published."""
        with self._lock:
            return self._versions[user]

    def wait_for(self, user: str, count: int, timeout: float = 15) -> list[Shown]:
        """What ``user`` was shown, once it is at least ``count`` things (or the timeout passes)."""
        with self._lock:
            self._lock.wait_for(lambda: self._filled(user, count), timeout)
            return list(self._shown[user])

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 15) -> bool:
        """Wait until ``predicate`` holds, checking it after each change; whether it held in time."""
        with self._lock:
            return bool(self._lock.wait_for(predicate, timeout))

    def wait_for_change(self, user: str, since: int, timeout: float = 15) -> int:
        """``user``'s version once it is past ``since`` (or the timeout passes)."""
        with self._lock:
            self._lock.wait_for(lambda: self._versions[user] > since, timeout)
            return self._versions[user]

    def wait_for_home(self, user: str, until: Callable[[Shown], bool] | int = 1, timeout: float = 15) -> Shown | None:
        """``user``'s Home tab once ``until`` holds for it, or once it was published ``until`` times; None when
        that did not happen in time."""

        def done() -> bool:
            home = self._homes.get(user)
            return self._publishes[user] >= until if isinstance(until, int) else home is not None and until(home)

        with self._lock:
            return self._homes.get(user) if self._lock.wait_for(done, timeout) else None

    def _filled(self, user: str, count: int) -> bool:
        shown = self._shown[user]
        return len(shown) >= count and not any(s.kind == "modal" and s.payload.get("loading") for s in shown)

    def reset(self) -> None:
        with self._lock:
            for kept in (self._shown, self._modals, self._modal_users, self._homes, self._publishes, self._calls):
                kept.clear()
            self._stacks.clear()
            self._failures.clear()
            self._user_failures.clear()
            self._files.reset()

    def close_modals(self) -> None:
        """As when the user closes every modal: updating one then fails with not_found."""
        with self._lock:
            for user in list(self._stacks):
                self._close(user, everything=True)
            self._modals.clear()

    def stack(self, user: str) -> list[Shown]:
        """``user``'s open modal, its views from the first to the one shown; empty when none is open."""
        with self._lock:
            return [self._modals[view_id] for view_id in self._stacks.get(user, [])]

    def choose(self, view_id: str, block_id: str, action_id: str, entry: dict[str, Any]) -> Shown:
        """As when the member picks, types or chooses in an input of an open view: its state takes ``entry``
        (the element's ``state.values`` entry, as Slack sends it). Refused (KeyError) for a view not open or an
        element it does not have, or (ValueError) an entry of another type than the element's."""
        with self._lock:
            view = self._modals[view_id]
            current = view.state[block_id][action_id]
            if not isinstance(entry, dict) or entry.get("type") != current.get("type"):
                raise ValueError(f"{block_id}/{action_id} is a {current.get('type')}")
            view.state[block_id][action_id] = dict(entry)
            view.errors.pop(block_id, None)  # Slack hides an input's error once it is changed
            self._changed(self._modal_users.get(view_id, ""))
            return view

    def close(self, view_id: str) -> Shown | None:
        """As when the member closes the view shown (its Close button, or Escape): the view under it shows, or,
        with ``clear_on_close``, or when it was the first, the modal closes. The view now shown, if any."""
        with self._lock:
            user = self._modal_users.get(view_id, "")
            if not self._on_top(view_id):
                raise KeyError(view_id)
            everything = bool(self._modals[view_id].payload.get("clear_on_close"))
            return self._close(user, everything)

    def submit(self, view_id: str, *, team: str, app_url: str, signing_secret: str) -> Submitted:
        """As when the member presses the submit button of an open view: its ``view_submission``, signed,
        posted to the app at ``app_url``; the app's answer played. For a test, a bench or a proof that knows the
        signing secret; other processes post the signed request to ``/submit/<view id>``."""
        with self._lock:
            view = self._modals.get(view_id)
            if view is None:
                return Submitted("gone")
            user = self._modal_users.get(view_id, "")
            body = interaction_body(view_submission_payload(user=user, team=team, view=view.as_view()))
        return self.deliver_submission(view_id, app_url, signed_headers(signing_secret, body), body)

    def deliver_submission(self, view_id: str, app_url: str, headers: dict[str, str], body: bytes) -> Submitted:
        """Post a submission of ``view_id`` to the app, then play its answer as Slack does. The post is made
        without holding the stand-in, so that what the app's worker does meanwhile goes through in the order it
        arrives, as with Slack."""
        if urlsplit(app_url).scheme not in ("http", "https"):
            raise ValueError("a submission is posted to the app's Interactivity Request URL, over HTTP")
        with self._lock:
            if not self._on_top(view_id):
                return Submitted("gone")
        request = urllib.request.Request(app_url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=SUBMIT_TIMEOUT_SECONDS) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        except OSError:
            status, raw = 0, b""
        with self._lock:
            submitted = self._answer_submission(view_id, status, raw)
            user = self._modal_users.get(view_id, "")
            self._calls.append(Call(time.monotonic(), "view_submission", user, view_id, status, submitted.outcome))
            return submitted

    # --- Requests --------------------------------------------------------------------------------------------

    def _record(self, path: str, body: dict[str, Any]) -> Answer:
        with self._lock:
            self.requests += 1
            arrived = time.monotonic()
            parts = path.strip("/").split("/")
            if parts[0] == "hooks" and len(parts) >= 2:
                return self._hook(arrived, parts, body)
            if path == "/api/views.open":
                return self._open(arrived, body)
            if path == "/api/views.update":
                return self._update(arrived, body)
            if path == "/api/views.push":
                return self._push(arrived, body)
            if parts[0] in ("choose", "close") and len(parts) == 2:
                return self._member_acts(parts[0], parts[1], body)
            if path == "/api/views.publish":
                return self._publish(arrived, body)
            method = path.removeprefix("/api/")
            handled = self._files.call(method, body, self.url)
            if handled is not None:
                user, (status, answer) = handled
                self._calls.append(Call(arrived, method, user, str(answer.get("file_id", "")), status))
                return status, answer, {}
            return 404, {"ok": False, "error": "unknown_method"}, {}

    def _hook(self, arrived: float, parts: list[str], body: dict[str, Any]) -> Answer:
        user, ref = parts[1], parts[-1] if len(parts) > 2 else ""
        text = str(body.get("text", ""))

        def answered(status: int) -> None:
            self._calls.append(Call(arrived, "hook", user, ref, status, text))

        failures = self._user_failures.get(user) or self._failures
        if failures:
            failure = failures.pop(0)
            answered(failure.status)
            return failure.status, {"ok": False}, failure.headers
        target = None
        if len(parts) == 5 and parts[2] == "message" and parts[3].isdigit():  # a press's response_url
            shown = self._shown[user]
            target = shown[int(parts[3])] if int(parts[3]) < len(shown) else None
            if target is None or target.kind != "message" or target.deleted:
                answered(404)
                return 404, {"ok": False, "error": "message_not_found"}, {}
            if _flag(body, "delete_original"):
                target.deleted = True
                answered(200)
                self._changed(user)
                return 200, {}, {}
            if not _flag(body, "replace_original"):
                target = None
        if problems(body, MESSAGE_BLOCKS):
            answered(400)
            return 400, {"ok": False, "error": "invalid_blocks"}, {}
        payload = _kept(body)
        if target is not None:
            target.payload = payload
        else:
            self._shown[user].append(Shown("message", payload, index=len(self._shown[user])))
        answered(200)
        self._changed(user)
        return 200, {}, {}

    def _open(self, arrived: float, body: dict[str, Any]) -> Answer:
        user, _, ref = str(body.get("trigger_id", "")).partition(".")
        view = _kept(_view(body))
        # Opened with nothing to press or fill in, it is a placeholder the app fills next: "loading" until then.
        shown = self._shown_modal(user, view if controls(view.get("blocks") or []) else {**view, "loading": True}, None)
        self._stacks[user] = [str(shown.view_id)]  # one modal open at a time: a new one is on its own
        self._calls.append(Call(arrived, "views.open", user, ref, 200, view_id=shown.view_id))
        self._changed(user)
        return 200, {"ok": True, "view": _answered(shown)}, {}

    def _push(self, arrived: float, body: dict[str, Any]) -> Answer:
        user, _, ref = str(body.get("trigger_id", "")).partition(".")
        stack, view = self._stacks.get(user, []), _view(body)

        def refused(status: int, error: str) -> Answer:
            self._calls.append(Call(arrived, "views.push", user, ref, status))
            return 200, {"ok": False, "error": error}, {}

        if not stack:  # a trigger from outside a modal: there is nothing to push on
            return refused(404, "not_found")
        if len(stack) >= STACK_DEPTH:
            return refused(400, "push_limit_reached")
        if view.get("type") != "modal" or problems(view, MODAL_BLOCKS):
            return refused(400, "invalid_arguments")
        shown = self._shown_modal(user, _kept(view), stack)
        stack.append(str(shown.view_id))
        self._calls.append(Call(arrived, "views.push", user, ref, 200, view_id=shown.view_id))
        self._changed(user)
        return 200, {"ok": True, "view": _answered(shown)}, {}

    def _shown_modal(self, user: str, payload: dict[str, Any], stack: list[str] | None) -> Shown:
        view_id = f"V{next(self._view_ids):08d}"
        shown = Shown("modal", payload, view_id, len(self._shown[user]), _new_hash())
        shown.state = initial_state(payload.get("blocks") or [])
        shown.root_view_id = stack[0] if stack else view_id
        shown.previous_view_id = stack[-1] if stack else None
        self._modals[view_id] = shown
        self._modal_users[view_id] = user
        self._shown[user].append(shown)
        return shown

    def _on_top(self, view_id: str) -> bool:
        """Whether ``view_id`` is the view its member sees now: the last of their open modal's."""
        return view_id in self._stacks.get(self._modal_users.get(view_id, ""), [])[-1:]

    def _close(self, user: str, everything: bool = False) -> Shown | None:
        """Close the view on top of ``user``'s modal, or all of it: closed views can no longer be updated."""
        stack = self._stacks.get(user, [])
        for view_id in stack[:] if everything else stack[-1:]:
            closed = self._modals.pop(view_id, None)
            if closed is not None:
                closed.deleted = True
            stack.remove(view_id)
        if not stack:
            self._stacks.pop(user, None)
        self._changed(user)
        return self._modals.get(stack[-1]) if stack else None

    def _member_acts(self, act: str, view_id: str, body: dict[str, Any]) -> Answer:
        try:
            if act == "close":
                shown = self.close(view_id)
            else:
                entry = body.get("entry")
                if not isinstance(entry, dict):
                    raise ValueError("entry: the element's state, as Slack sends it")
                shown = self.choose(view_id, str(body.get("block_id")), str(body.get("action_id")), entry)
        except KeyError:
            return 404, {"ok": False, "error": "not_found"}, {}
        except ValueError as error:
            return 400, {"ok": False, "error": "invalid_arguments", "detail": str(error)}, {}
        return 200, {"ok": True, "view": asdict(shown) if shown is not None else None}, {}

    def _answer_submission(self, view_id: str, status: int, raw: bytes) -> Submitted:
        """Play the app's answer to a submission of ``view_id``, as Slack does (the lock held)."""
        view, user = self._modals.get(view_id), self._modal_users.get(view_id, "")
        if view is None or not self._on_top(view_id):  # closed, or another view shown, while the app answered
            return Submitted("gone", status)
        if status != 200:
            return Submitted("failed", status)
        try:
            answer = dict(json.loads(raw)) if raw.strip() else {}
        except (ValueError, TypeError):
            return Submitted("refused", status)
        action = answer.get("response_action")
        if not answer:
            shown = self._close(user)
            return Submitted("closed", status, answer, shown.view_id if shown else None)
        if action == "clear":
            self._close(user, everything=True)
            return Submitted("cleared", status, answer)
        if action == "errors":
            errors = answer.get("errors")
            named = input_block_ids(view.payload.get("blocks") or [])
            if not isinstance(errors, dict) or not errors or not set(errors) <= named:
                return Submitted("refused", status, answer)  # Slack names only its input blocks' errors
            view.errors = {str(block): str(text) for block, text in errors.items()}
            self._changed(user)
            return Submitted("errors", status, answer, view_id)
        new = answer.get("view")
        if action not in ("update", "push") or not isinstance(new, dict) or new.get("type") != "modal":
            return Submitted("refused", status, answer)
        if problems(new, MODAL_BLOCKS):
            return Submitted("refused", status, answer)
        if action == "update":
            self._replace(view, _kept(new))
            self._changed(user)
            return Submitted("updated", status, answer, view_id)
        stack = self._stacks.get(user, [])
        if len(stack) >= STACK_DEPTH:
            return Submitted("refused", status, answer)
        pushed = self._shown_modal(user, _kept(new), stack)
        stack.append(str(pushed.view_id))
        self._changed(user)
        return Submitted("pushed", status, answer, pushed.view_id)

    @staticmethod
    def _replace(view: Shown, payload: dict[str, Any]) -> None:
        """A view's content replaced, the member's values kept where the inputs stay, as Slack keeps them."""
        view.payload, view.hash = payload, _new_hash()
        view.state = initial_state(payload.get("blocks") or [], view.state)
        view.errors = {}

    def _update(self, arrived: float, body: dict[str, Any]) -> Answer:
        view_id = str(body.get("view_id"))
        modal = self._modals.get(view_id)

        def refused(status: int, error: str) -> Answer:
            self._calls.append(Call(arrived, "views.update", "", view_id, status, view_id=view_id))
            return 200, {"ok": False, "error": error}, {}

        if modal is None:
            return refused(404, "not_found")
        if body.get("hash") and body["hash"] != modal.hash:
            return refused(HASH_CONFLICT, "hash_conflict")
        view = _view(body)
        if problems(view, MODAL_BLOCKS):
            return refused(400, "invalid_arguments")
        self._replace(modal, _kept(view))
        self._calls.append(Call(arrived, "views.update", "", view_id, 200, view_id=view_id))
        self._changed(self._modal_users.get(view_id, ""))
        return 200, {"ok": True, "view": _answered(modal)}, {}

    def _publish(self, arrived: float, body: dict[str, Any]) -> Answer:
        user, view = str(body.get("user_id", "")), _view(body)
        home = self._homes.get(user)
        view_id = home.view_id if home is not None else f"VH{next(self._view_ids):07d}"

        def refused(status: int, error: str) -> Answer:
            self._calls.append(Call(arrived, "views.publish", user, view_id or "", status, view_id=view_id))
            return 200, {"ok": False, "error": error}, {}

        if not user or view.get("type") != "home" or problems(view, MODAL_BLOCKS):
            return refused(400, "invalid_arguments")
        if body.get("hash") and (home is None or body["hash"] != home.hash):
            return refused(HASH_CONFLICT, "hash_conflict")
        if home is None:
            home = self._homes[user] = Shown("home", {}, view_id)
        home.payload, home.hash = _kept(view), _new_hash()
        self._publishes[user] += 1
        self._calls.append(Call(arrived, "views.publish", user, view_id or "", 200, view_id=view_id))
        self._changed(user)
        return 200, {"ok": True, "view": _answered(home)}, {}

    def _changed(self, user: str) -> None:
        self._versions[user] += 1
        self._lock.notify_all()

    def _upload(self, path: str, content: bytes) -> int:
        with self._lock:
            self.requests += 1
            file_id = path.removeprefix("/upload/")
            status = self._files.upload(file_id, content)
            self._calls.append(Call(time.monotonic(), "upload", "", file_id, status))
            return status

    def _submitted(self, view_id: str, data: bytes) -> tuple[int, dict[str, Any]]:
        try:
            asked = dict(json.loads(data))
            url, headers, body = str(asked["url"]), dict(asked["headers"]), str(asked["body"]).encode()
        except (ValueError, TypeError, KeyError):
            return 400, {"ok": False, "error": "invalid_arguments"}
        with self._lock:
            self.requests += 1
        try:
            submitted = self.deliver_submission(view_id, url, {str(k): str(v) for k, v in headers.items()}, body)
        except ValueError:
            return 400, {"ok": False, "error": "invalid_arguments"}
        return (404 if submitted.outcome == "gone" else 200), {"ok": submitted.outcome != "gone", **asdict(submitted)}

    def _read(self, parts: list[str]) -> tuple[int, Any]:
        """What a GET asks for: see the module's docstring."""
        if len(parts) != 2:
            return 404, {"ok": False, "error": "not_found"}
        what, key = parts
        if what == "shown":
            return 200, [asdict(shown) for shown in self.shown(key)]
        if what == "files":  # what was sent them
            return 200, [{**asdict(f), "content": f.content.decode("utf-8", "replace")} for f in self.files(key)]
        if what == "version":
            return 200, {"version": self.version(key)}
        if what == "stack":  # their open modal's views, the one shown last
            return 200, [asdict(view) for view in self.stack(key)]
        found = self.home(key) if what == "home" else self.view(key) if what == "view" else None
        return (200, asdict(found)) if found is not None else (404, {"ok": False, "error": "not_found"})

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data, path = self.rfile.read(length), urlsplit(self.path).path
                if path.startswith("/upload/"):  # a file's bytes, as they are: not a form
                    status = standin._upload(path, data)
                    send_json(self, status, {"ok": status == 200})
                    return
                if path.startswith("/submit/"):  # posts to the app: the stand-in is not held meanwhile
                    send_json(self, *standin._submitted(path.removeprefix("/submit/"), data))
                    return
                body = _decode(data.decode("utf-8"), self.headers.get("Content-Type", ""))
                status, answer, headers = standin._record(path, body)
                send_json(self, status, answer, headers)

            def do_GET(self) -> None:
                parts = urlsplit(self.path).path.strip("/").split("/")
                if len(parts) == 3 and parts[0] == "files":
                    found = [f for f in standin.files(unquote(parts[1])) if f.file_id == parts[2]]
                    send_file(self, found[0] if found else None)
                    return
                with standin._lock:  # one consistent reading, not one torn by a change mid-way
                    status, answer = standin._read(parts)
                send_json(self, status, answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def send_file(request: BaseHTTPRequestHandler, shared: SharedFile | None) -> None:
    if shared is None:
        send_json(request, 404, {"ok": False, "error": "file_not_found"})
        return
    request.send_response(200)
    kind = "text/csv" if shared.filename.endswith(".csv") else "application/octet-stream"
    request.send_header("Content-Type", f"{kind}; charset=utf-8")
    request.send_header("Content-Disposition", f'inline; filename="{shared.filename}"')
    request.send_header("Content-Length", str(len(shared.content)))
    request.end_headers()
    request.wfile.write(shared.content)


def _flag(body: dict[str, Any], name: str) -> bool:
    return body.get(name) in (True, "true")


def _kept(payload: dict[str, Any]) -> dict[str, Any]:
    """A payload as Slack keeps it: every block with a block_id."""
    blocks = payload.get("blocks")
    return {**payload, "blocks": with_block_ids(blocks)} if isinstance(blocks, list) else dict(payload)


def _answered(view: Shown) -> dict[str, Any]:
    return {"id": view.view_id, "hash": view.hash, "type": view.payload.get("type", view.kind)}


def _new_hash() -> str:
    return f"{time.time():.6f}.{uuid.uuid4().hex[:8]}"


def _decode(raw: str, content_type: str) -> dict[str, Any]:
    if "json" in content_type:
        return dict(json.loads(raw or "{}"))
    return {key: values[0] for key, values in parse_qs(raw).items()}


def _view(body: dict[str, Any]) -> dict[str, Any]:
    view = body.get("view", {})
    return dict(json.loads(view) if isinstance(view, str) else view)
