"""What arrives from Slack: signature checks and the slash command form."""

from __future__ import annotations

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
MAX_BODY_BYTES = 16 * 1024
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
    """The signatures accepted in the last five minutes, in this process. Slack sends a slash command once,
    so a second copy of a signed request is a replay, refused like a stale one."""

    def __init__(self, window_seconds: float = SIGNATURE_WINDOW_SECONDS, limit: int = 100_000) -> None:
        self._window = window_seconds
        self._limit = limit
        self._seen: dict[str, float] = {}  # in order of arrival, so the oldest come first
        self._lock = threading.Lock()

    def first_time(self, headers: Mapping[str, str], now: float) -> bool:
        signature = next((v for k, v in headers.items() if k.lower() == "x-slack-signature"), "")
        with self._lock:
            while self._seen and next(iter(self._seen.values())) <= now - self._window:
                del self._seen[next(iter(self._seen))]
            if signature in self._seen:
                return False
            if len(self._seen) >= self._limit:
                del self._seen[next(iter(self._seen))]
            self._seen[signature] = now
            return True


@dataclass(frozen=True)
class SlashCommand:
    command: str
    text: str
    user_id: str
    team_id: str
    response_url: str
    trigger_id: str | None


class MissingFields(ValueError):
    pass


def is_ssl_check(body: bytes) -> bool:
    return b"ssl_check=" in body and parse_qs(body.decode("utf-8", "replace")).get("ssl_check") == ["1"]


def slash_command(body: bytes) -> SlashCommand:
    """The fields this app uses from a signed slash command form; everything else is dropped here."""
    form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
    values = {name: form.get(name, [None])[0] for name in (*REQUIRED_FIELDS, "trigger_id")}
    missing = [name for name in REQUIRED_FIELDS if values[name] is None or (name != "text" and not values[name])]
    if missing:
        raise MissingFields(", ".join(missing))
    return SlashCommand(**values)  # type: ignore[arg-type]


def ephemeral(text: str) -> dict[str, Any]:
    return {"response_type": "ephemeral", "text": text}
