"""Storage queues as the host uses them: one client per account and queue, message bodies in host.json's
``messageEncoding``, and the wake-up a listener gets when this host writes to its queue."""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from contextlib import suppress

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.storage.queue import ExponentialRetry, QueueClient

from interactions.storage_account import StorageAccount
from local.host.indexing import QueueTarget


def encode(body: bytes, encoding: str) -> str:
    return base64.b64encode(body).decode("ascii") if encoding == "base64" else body.decode("utf-8")


def decode(content: str, encoding: str) -> bytes:
    return base64.b64decode(content, validate=True) if encoding == "base64" else content.encode("utf-8")


class Queues:
    """Queue clients by account and name, and the listeners to wake when this host writes to their queue
    (the real host's shared queue watcher: no waiting for the next poll)."""

    def __init__(self) -> None:
        self._clients: dict[tuple[StorageAccount, str], QueueClient] = {}
        self._watchers: dict[tuple[StorageAccount, str], list[Callable[[], None]]] = {}
        self._lock = threading.Lock()

    def client(self, target: QueueTarget) -> QueueClient:
        with self._lock:
            key = (target.storage, target.name)
            if key not in self._clients:
                self._clients[key] = target.storage.queue_client(
                    target.name,
                    retry_policy=ExponentialRetry(initial_backoff=1, increment_base=2, retry_total=2),
                    connection_timeout=5,
                    read_timeout=20,
                )
            return self._clients[key]

    def create(self, target: QueueTarget) -> None:
        with suppress(ResourceExistsError):
            self.client(target).create_queue()

    def send(self, target: QueueTarget, content: str) -> None:
        """Write one message, already encoded; creates the queue on first use."""
        client = self.client(target)
        try:
            client.send_message(content)
        except ResourceNotFoundError:
            self.create(target)
            client.send_message(content)
        self.notify(target)

    def watch(self, target: QueueTarget, wake: Callable[[], None]) -> None:
        with self._lock:
            self._watchers.setdefault((target.storage, target.name), []).append(wake)

    def notify(self, target: QueueTarget) -> None:
        with self._lock:
            watchers = list(self._watchers.get((target.storage, target.name), []))
        for wake in watchers:
            wake()
