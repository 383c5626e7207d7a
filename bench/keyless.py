"""The figures of the keyless path, as on Azure with shared keys turned off: the app has no connection
string, only the identity-based settings, and gets its token from a stand-in of the managed-identity
endpoint. A second Azurite serves HTTPS and takes bearer tokens (``--oauth basic``; it still takes the
account key, which the connection-string side of the cold first ack uses, over the same HTTPS)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from azure.identity import ManagedIdentityCredential
from azure.storage.queue import QueueClient

from bench import figures
from bench.env import Bench, BenchFailure, environment
from bench.report import Row, ratio_row
from bench.stats import Action, interleaved, median
from local.azurite import Azurite, Tls
from local.identity_standin import IdentityStandIn
from testkit.app_settings import keyless_settings


@dataclass
class Keyless:
    """The HTTPS, token-checking Azurite, its certificate, and the identity whose tokens it takes."""

    azurite: Azurite
    tls: Tls
    identity: IdentityStandIn

    def app_settings(self, bench: Bench) -> dict[str, str]:
        """The bench's settings with the storage reached by identity alone, as on Azure."""
        return {
            **self.connection_settings(bench),
            **keyless_settings(
                self.azurite.service_uri("queue"), self.azurite.service_uri("table"), self.identity.client_id
            ),
            **self.identity.environment(),
        }

    def connection_settings(self, bench: Bench) -> dict[str, str]:
        """The bench's settings with this Azurite's connection string: the account key, over the same HTTPS."""
        return {
            **bench.settings(self.azurite.connection_string),
            "REQUESTS_CA_BUNDLE": str(self.tls.certificate),
        }

    def queue(self, name: str) -> QueueClient:
        """A raw client of the queue, with a managed-identity credential of its own (the floors' kind of
        token); it needs this Azurite's certificate in ``os.environ`` when it sends."""
        credential = ManagedIdentityCredential(client_id=self.identity.client_id)
        return QueueClient(self.azurite.service_uri("queue"), name, credential=credential)


@contextmanager
def keyless_storage() -> Iterator[Keyless]:
    folder = Path(tempfile.mkdtemp(prefix="bench-keyless-"))
    identity = IdentityStandIn().start()
    try:
        tls = Tls.self_signed(folder)
        azurite = Azurite.on_free_ports(tls=tls, oauth=True)
        try:
            yield Keyless(azurite, tls, identity)
        finally:
            azurite.stop()
    finally:
        identity.stop()
        shutil.rmtree(folder, ignore_errors=True)


def keyless(bench: Bench, ack_repetitions: int, cold_repetitions: int) -> list[Row]:
    """The warm ack and the cold first ack on the keyless path, against one Azurite started for both."""
    with keyless_storage() as storage, environment(storage.app_settings(bench)):
        queue = storage.queue(bench.queue_name)
        queue.create_queue()
        rows = warm_ack(bench, storage, queue, ack_repetitions)
        rows += cold_first_ack(bench, storage, cold_repetitions)
        queue.clear_messages()
        return rows


def warm_ack(bench: Bench, storage: Keyless, queue: QueueClient, repetitions: int) -> list[Row]:
    """The HTTP function, keyless with its token cached after the warm-up, against a raw send_message
    through a client with a managed-identity credential of its own, on the same HTTPS Azurite."""
    figure = "ack, keyless: HTTP function, signed 3-person log"
    rows = figures.ack_rows(bench, queue, repetitions, "keyless-ack", figure)
    if storage.identity.token_requests != 2:  # since the identity started: the floor's credential, the app's
        raise BenchFailure(f"{storage.identity.token_requests} tokens asked for in the warm ack: not cached")
    return rows


def cold_first_ack(bench: Bench, storage: Keyless, repetitions: int) -> list[Row]:
    """Fresh interpreters acknowledging one command keyless (imports with azure.identity, the first token
    request, the enqueue), against the same through the connection string, to the same HTTPS Azurite."""
    before = storage.identity.token_requests
    not_queued = {"keyless": 0, "connection string": 0}

    def probe(side: str, settings: dict[str, str]) -> Callable[[int], Action]:
        env = {**os.environ, **settings}

        def prepare(index: int) -> Action:
            request = figures.first_ack_request(bench, f"U0COLD{index:05d}")

            def action() -> None:
                if not figures.first_ack(request, env).queued:
                    not_queued[side] += 1  # the member was told to check or retry: kept, it is what they waited

            return action

        return prepare

    samples = interleaved(
        repetitions,
        probe("keyless", storage.app_settings(bench)),
        probe("connection string", storage.connection_settings(bench)),
        warmup=1,
    )
    if storage.identity.token_requests - before != repetitions + 1:  # one per keyless interpreter
        raise BenchFailure("the keyless first acks did not each ask the identity endpoint for a token")
    figure = "cold first ack: keyless, against a connection string"
    if any(not_queued.values()):
        figure += " (not queued in time: " + ", ".join(f"{n} {side}" for side, n in not_queued.items()) + ")"
    return [ratio_row("keyless-cold", figure, median(samples.ours), median(samples.floor), "s", None)]
