"""What arrives from Slack: signature checks and the slash command form."""

from __future__ import annotations

import heapq
import importlib
import importlib.util
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from interactions.model import MAX_NAME_LENGTH, MAX_PEOPLE

if TYPE_CHECKING:
    from slack_sdk.signature import Clock, SignatureVerifier


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
# The largest command within the app's own limits, form-encoded: every person a name of the longest, each
# character 4 bytes of UTF-8 sent as %XX (12 bytes), with a rating and spaces; then the form's other fields.
# Twice that leaves room to spare, well below what a host takes.
_LONGEST_TEXT = MAX_PEOPLE * (MAX_NAME_LENGTH * 12 + 16)
_OTHER_FIELDS = 4 * 1024
MAX_BODY_BYTES = 2 * (_LONGEST_TEXT + _OTHER_FIELDS)
SIGNATURE_WINDOW_SECONDS = 5 * 60  # slack_sdk's SignatureVerifier refuses older timestamps
REQUIRED_FIELDS = ("command", "text", "user_id", "team_id", "response_url")


class _InjectedClock(Clock):
    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now

    def now(self) -> float:
        return self._now()


def is_signed(
    signing_secret: str, body: bytes, headers: Mapping[str, str], now: Callable[[], float] = time.time
) -> bool:
    """True when Slack signed this body with our secret less than 5 minutes ago."""
    verifier = SignatureVerifier(signing_secret, clock=_InjectedClock(now))
    try:
        return verifier.is_valid_request(body, headers)
    except (ValueError, UnicodeDecodeError):  # a timestamp that is not a number, a body that is not UTF-8
        return False


class ReplayGuard:
    """The signatures accepted in this process, each remembered for as long as its timestamp could still be
    accepted (up to 5 minutes after it, and Slack's timestamps may run up to 5 minutes ahead of ours). Slack
    sends a slash command once, so a second copy of a signed request is a replay, refused like a stale one."""

    def __init__(self, window_seconds: float = SIGNATURE_WINDOW_SECONDS, limit: int = 100_000) -> None:
        self._window = window_seconds
        self._limit = limit
        self._until: dict[str, float] = {}  # signature -> when its timestamp stops being accepted
        self._expiries: list[tuple[float, str]] = []  # the same, as a heap: the soonest first
        self._lock = threading.Lock()

    def first_time(self, headers: Mapping[str, str], now: float) -> bool:
        signature = _header(headers, "x-slack-signature")
        try:
            stamp = float(_header(headers, "x-slack-request-timestamp"))
        except ValueError:
            stamp = now
        until = max(now, stamp) + self._window
        with self._lock:
            self._forget(lambda expiry: expiry <= now)
            if signature in self._until:
                return False
            self._forget(lambda _expiry: len(self._until) >= self._limit)  # the soonest to expire go first
            self._until[signature] = until
            heapq.heappush(self._expiries, (until, signature))
            return True

    def _forget(self, while_: Callable[[float], bool]) -> None:
        while self._expiries and while_(self._expiries[0][0]):
            expiry, signature = heapq.heappop(self._expiries)
            if self._until.get(signature) == expiry:
                del self._until[signature]


def _header(headers: Mapping[str, str], name: str) -> str:
    return next((v for k, v in headers.items() if k.lower() == name), "")


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
    pass


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
    return SlashCommand(**values)  # type: ignore[arg-type]


def ephemeral(text: str) -> dict[str, Any]:
    return {"response_type": "ephemeral", "text": text}
