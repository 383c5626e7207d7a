"""A local HTTP server that plays Slack: it takes answers posted to ``response_url``, the Web API's
``views.open`` / ``views.update`` / ``views.publish``, and files shared in a user's direct conversation with
the app (``local.slack_files``), and keeps what each user was shown and sent.

Response URLs it hands out look like ``http://HOST:PORT/hooks/<user id>/<anything>``; trigger ids look
like ``<user id>.<anything>``, so each modal is known to belong to a user. Every request is also kept as a
``Call``, with that ``<anything>``: a caller that puts its own id there can tell which command was answered.

A press of a button in a message comes with ``action_response_url(user, index)``, naming the message at that
index of ``shown(user)``: an answer to it with ``replace_original`` replaces that message in place, with
``delete_original`` removes it, and without either adds a message, as a command's response_url does.
Modals and Home tabs have a ``hash``, new on each change; an update or publish given another hash than the
current one is refused with ``hash_conflict``, as Slack refuses it.

Other processes read it over HTTP: ``GET /shown/<user>``, ``/home/<user>``, ``/view/<view id>``,
``/version/<user>`` (a number that grows with each change to what that user sees) and ``/files/<user>``;
``/files/<user>/<file id>`` is one file's content as it was uploaded, for a person to read.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from local.block_kit import MESSAGE_BLOCKS, MODAL_BLOCKS, problems, with_block_ids
from local.json_http import send_json
from local.slack_display import Shown
from local.slack_files import Files, SharedFile

__all__ = ["HASH_CONFLICT", "Call", "Failure", "SharedFile", "Shown", "SlackStandIn", "action_response_url"]

Answer = tuple[int, dict[str, Any], dict[str, str]]
HASH_CONFLICT = 409  # the status a refused hash is recorded with; Slack answers HTTP 200 with ok false


@dataclass
class Failure:
    status: int
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Call:
    """One request the stand-in answered: to a response_url ("hook"), or to the Web API's views methods."""

    at: float  # time.monotonic() on arrival
    method: str  # "hook", a Web API method, or "upload" (the bytes of a file)
    user: str  # "" for views.update, which names only the view, and for an upload
    ref: str  # the response_url's last segment, the trigger id's part after the user, or the view id
    status: int
    text: str = ""  # a hook's text
    view_id: str | None = None  # the view opened, updated or published


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
        """A modal as it stands now (its payload has ``loading`` until the app fills it)."""
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
            self._failures.clear()
            self._user_failures.clear()
            self._files.reset()

    def close_modals(self) -> None:
        """As when the user closes every modal: updating one then fails with not_found."""
        with self._lock:
            self._modals.clear()

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
        view_id = f"V{next(self._view_ids):08d}"
        user, _, ref = str(body.get("trigger_id", "")).partition(".")
        shown = Shown("modal", {**_kept(_view(body)), "loading": True}, view_id, len(self._shown[user]), _new_hash())
        self._modals[view_id] = shown
        self._modal_users[view_id] = user
        self._shown[user].append(shown)
        self._calls.append(Call(arrived, "views.open", user, ref, 200, view_id=view_id))
        self._changed(user)
        return 200, {"ok": True, "view": _answered(shown)}, {}

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
        modal.payload, modal.hash = _kept(view), _new_hash()
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
