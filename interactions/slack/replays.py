"""What this process remembers of the requests it took: signatures, so that a copy of a signed request is
refused as a replay, and the ids of events, so that Slack's retry of one is not queued again.

On the ack path: the standard library only.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable, Mapping

SIGNATURE_WINDOW_SECONDS = 5 * 60  # slack_sdk's SignatureVerifier refuses older timestamps


class Memory:
    """Keys seen in this process, each remembered until its own expiry; the soonest to expire are forgotten
    first when the memory is full."""

    def __init__(self, limit: int = 100_000) -> None:
        self._limit = limit
        self._until: dict[str, float] = {}  # key -> when it may be forgotten
        self._expiries: list[tuple[float, str]] = []  # the same, as a heap: the soonest first
        self._lock = threading.Lock()

    def first_time(self, key: str, until: float, now: float) -> bool:
        """True, and ``key`` remembered until ``until``, unless it is remembered already."""
        with self._lock:
            self._forget(lambda expiry: expiry <= now)
            if key in self._until:
                return False
            self._forget(lambda _expiry: len(self._until) >= self._limit)
            self._until[key] = until
            heapq.heappush(self._expiries, (until, key))
            return True

    def forget(self, key: str) -> None:
        with self._lock:
            self._until.pop(key, None)  # its heap entry no longer matches, and goes when it comes up

    def _forget(self, while_: Callable[[float], bool]) -> None:
        while self._expiries and while_(self._expiries[0][0]):
            expiry, key = heapq.heappop(self._expiries)
            if self._until.get(key) == expiry:
                del self._until[key]


class ReplayGuard:
    """The signatures accepted in this process, each remembered for as long as its timestamp could still be
    accepted (up to 5 minutes after it, and Slack's timestamps may run up to 5 minutes ahead of ours). Slack
    sends a request once (an event's retry is signed anew), so a second copy of a signed request is a replay,
    refused like a stale one."""

    def __init__(self, window_seconds: float = SIGNATURE_WINDOW_SECONDS, limit: int = 100_000) -> None:
        self._window = window_seconds
        self._memory = Memory(limit)

    def first_time(self, headers: Mapping[str, str], now: float) -> bool:
        signature = _header(headers, "x-slack-signature")
        try:
            stamp = float(_header(headers, "x-slack-request-timestamp"))
        except ValueError:
            stamp = now
        return self._memory.first_time(signature, max(now, stamp) + self._window, now)


def _header(headers: Mapping[str, str], name: str) -> str:
    return next((v for k, v in headers.items() if k.lower() == name), "")
