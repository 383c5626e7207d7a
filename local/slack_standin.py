"""A local HTTP server that plays Slack: it takes answers posted to ``response_url``, the Web API's
``views.open`` / ``views.update``, and files shared in a user's direct conversation with the app
(``local.slack_files``), and keeps what each user was shown and sent.

Response URLs it hands out look like ``http://HOST:PORT/hooks/<user id>/<anything>``; trigger ids look
like ``<user id>.<anything>``, so each modal is known to belong to a user. Every request is also kept as a
``Call``, with that ``<anything>``: a caller that puts its own id there can tell which command was answered.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from local.json_http import send_json
from local.slack_files import Files, SharedFile


@dataclass
class Shown:
    """One thing a user saw: an ephemeral message, or a modal (opened, then updated in place)."""

    kind: str  # "message" or "modal"
    payload: dict[str, Any]
    view_id: str | None = None

    def text(self) -> str:
        """Everything the user can read in it, as one string (Slack markup left as is)."""
        parts = [str(self.payload.get("text", ""))] if self.kind == "message" else []
        for block in self.payload.get("blocks", []):
            if "text" in block:
                parts.append(block["text"]["text"])
            parts.extend(element.get("text", "") for element in block.get("elements", []))
        return "\n".join(parts)


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
    view_id: str | None = None  # the view opened or updated


class _Server(ThreadingHTTPServer):
    # socketserver's backlog of 5 would make a burst of answers wait out SYN retransmits; Slack does not.
    request_queue_size = 512
    daemon_threads = True


class SlackStandIn:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._lock = threading.Condition()
        self._shown: dict[str, list[Shown]] = defaultdict(list)
        self._modals: dict[str, Shown] = {}
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

    def wait_for(self, user: str, count: int, timeout: float = 15) -> list[Shown]:
        """What ``user`` was shown, once it is at least ``count`` things (or the timeout passes)."""
        with self._lock:
            self._lock.wait_for(lambda: self._filled(user, count), timeout)
            return list(self._shown[user])

    def _filled(self, user: str, count: int) -> bool:
        shown = self._shown[user]
        return len(shown) >= count and not any(s.kind == "modal" and s.payload.get("loading") for s in shown)

    def reset(self) -> None:
        with self._lock:
            self._shown.clear()
            self._modals.clear()
            self._failures.clear()
            self._user_failures.clear()
            self._calls.clear()
            self._files.reset()

    def _record(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._lock:
            self.requests += 1
            arrived = time.monotonic()
            parts = path.strip("/").split("/")
            if parts[0] == "hooks" and len(parts) >= 2:
                user, ref = parts[1], parts[-1] if len(parts) > 2 else ""
                failures = self._user_failures.get(user) or self._failures
                if failures:
                    failure = failures.pop(0)
                    self._calls.append(Call(arrived, "hook", user, ref, failure.status, str(body.get("text", ""))))
                    return failure.status, {"ok": False}, failure.headers
                if _breaks_limits(body, MESSAGE_BLOCKS):
                    self._calls.append(Call(arrived, "hook", user, ref, 400, str(body.get("text", ""))))
                    return 400, {"ok": False, "error": "invalid_blocks"}, {}
                self._shown[user].append(Shown("message", body))
                self._calls.append(Call(arrived, "hook", user, ref, 200, str(body.get("text", ""))))
                self._lock.notify_all()
                return 200, {}, {}
            if path == "/api/views.open":
                view_id = f"V{next(self._view_ids):08d}"
                user, _, ref = str(body.get("trigger_id", "")).partition(".")
                shown = Shown("modal", {**_view(body), "loading": True}, view_id)
                self._modals[view_id] = shown
                self._shown[user].append(shown)
                self._calls.append(Call(arrived, "views.open", user, ref, 200, view_id=view_id))
                self._lock.notify_all()
                return 200, {"ok": True, "view": {"id": view_id}}, {}
            if path == "/api/views.update":
                view_id = str(body.get("view_id"))
                modal = self._modals.get(view_id)
                if modal is None:
                    self._calls.append(Call(arrived, "views.update", "", view_id, 404, view_id=view_id))
                    return 200, {"ok": False, "error": "not_found"}, {}
                if _breaks_limits(_view(body), MODAL_BLOCKS):
                    self._calls.append(Call(arrived, "views.update", "", view_id, 400, view_id=view_id))
                    return 200, {"ok": False, "error": "invalid_arguments"}, {}
                modal.payload = _view(body)
                self._calls.append(Call(arrived, "views.update", "", view_id, 200, view_id=view_id))
                self._lock.notify_all()
                return 200, {"ok": True, "view": {"id": modal.view_id}}, {}
            method = path.removeprefix("/api/")
            handled = self._files.call(method, body, self.url)
            if handled is not None:
                user, (status, answer) = handled
                self._calls.append(Call(arrived, method, user, str(answer.get("file_id", "")), status))
                return status, answer, {}
            return 404, {"ok": False, "error": "unknown_method"}, {}

    def _upload(self, path: str, content: bytes) -> int:
        with self._lock:
            self.requests += 1
            file_id = path.removeprefix("/upload/")
            status = self._files.upload(file_id, content)
            self._calls.append(Call(time.monotonic(), "upload", "", file_id, status))
            return status

    def close_modals(self) -> None:
        """As when the user closes every modal: updating one then fails with not_found."""
        with self._lock:
            self._modals.clear()

    def modal(self, view_id: str) -> Shown | None:
        """A modal as it stands now (its payload has ``loading`` until the app fills it)."""
        with self._lock:
            return self._modals.get(view_id)

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
                # GET /shown/<user id>: what that user was shown, for `make try` in another process.
                parts = urlsplit(self.path).path.strip("/").split("/")
                answer: Any
                if len(parts) == 2 and parts[0] == "shown":
                    status, answer = 200, [asdict(shown) for shown in standin.shown(parts[1])]
                elif len(parts) == 2 and parts[0] == "files":  # GET /files/<user id>: what was sent them
                    sent = standin.files(parts[1])
                    status, answer = 200, [{**asdict(f), "content": f.content.decode("utf-8", "replace")} for f in sent]
                else:
                    status, answer = 404, {"ok": False, "error": "not_found"}
                send_json(self, status, answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


MESSAGE_BLOCKS = 50  # Slack's limits, refused as Slack refuses them
MODAL_BLOCKS = 100
TEXT_CHARACTERS = 3000


def _breaks_limits(payload: dict[str, Any], max_blocks: int) -> bool:
    blocks = payload.get("blocks") or []
    texts = [b.get("text", {}).get("text", "") for b in blocks if isinstance(b.get("text"), dict)]
    texts += [e.get("text", "") for b in blocks for e in b.get("elements", []) if isinstance(e, dict)]
    return len(blocks) > max_blocks or any(not t or len(t) > TEXT_CHARACTERS for t in texts)


def _decode(raw: str, content_type: str) -> dict[str, Any]:
    if "json" in content_type:
        return dict(json.loads(raw or "{}"))
    return {key: values[0] for key, values in parse_qs(raw).items()}


def _view(body: dict[str, Any]) -> dict[str, Any]:
    view = body.get("view", {})
    return dict(json.loads(view) if isinstance(view, str) else view)
