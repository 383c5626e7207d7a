"""How the app reaches its storage account: read the way the Functions host reads a connection.

Either ``<name>`` holds a connection string (Azurite, ``make run``, keys-based accounts), or the
identity-based settings do (``<name>__accountName``, or ``<name>__queueServiceUri`` with
``<name>__tableServiceUri``; ``<name>__credential`` and ``<name>__clientId``). Identity-based clients get
their tokens from ``azure-identity``: a managed identity when the credential is ``managedidentity``, else
``DefaultAzureCredential``, so that ``az login`` works on a laptop against a real account.

The SDKs are imported where a client is made: the HTTP path makes only a queue client, so it never loads
the Table SDK, and ``azure.identity`` is loaded only where identity is configured.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential
    from azure.core.pipeline.transport import RequestsTransport
    from azure.data.tables import TableClient
    from azure.storage.queue import QueueClient

log = logging.getLogger(__name__)

CONNECTION = "AzureWebJobsStorage"
MANAGED_IDENTITY = "managedidentity"
# The identity-based settings of a connection, as suffixes of its name (``<name>__accountName``).
_ACCOUNT, _QUEUE_URI, _TABLE_URI, _CREDENTIAL, _CLIENT_ID = (
    "accountName",
    "queueServiceUri",
    "tableServiceUri",
    "credential",
    "clientId",
)
ACCOUNT_NAME = f"{CONNECTION}__{_ACCOUNT}"
QUEUE_SERVICE_URI = f"{CONNECTION}__{_QUEUE_URI}"
TABLE_SERVICE_URI = f"{CONNECTION}__{_TABLE_URI}"
CREDENTIAL = f"{CONNECTION}__{_CREDENTIAL}"
CLIENT_ID = f"{CONNECTION}__{_CLIENT_ID}"
# Every setting the app reads for its storage (the Functions host reads the same): the one list the deploy
# writes from and checks against.
SETTING_NAMES = (CONNECTION, ACCOUNT_NAME, QUEUE_SERVICE_URI, TABLE_SERVICE_URI, CREDENTIAL, CLIENT_ID)
_ENDPOINT_SUFFIX = "core.windows.net"
HOST_JSON = Path(__file__).resolve().parents[1] / "host.json"


class StorageNotConfigured(RuntimeError):
    """The storage settings are missing or incomplete; the message names what to set (never a value)."""


@dataclass(frozen=True)
class StorageAccount:
    """A connection string, or the service URIs and identity of a keyless connection."""

    connection_string: str | None = field(default=None, repr=False)
    queue_service_uri: str | None = None
    table_service_uri: str | None = None
    managed_identity: bool = False
    client_id: str | None = None

    @property
    def keyless(self) -> bool:
        return self.connection_string is None

    @classmethod
    def from_settings(cls, env: Mapping[str, str], name: str = CONNECTION) -> StorageAccount:
        """The connection ``name`` as the Functions host resolves it: a connection string wins; otherwise
        the identity-based settings, which must be complete. Raises ``StorageNotConfigured``, logged once."""
        try:
            return cls._read(env, name)
        except StorageNotConfigured as error:
            log.error("Storage is not configured: %s See README.md, Settings.", error)
            raise

    @classmethod
    def _read(cls, env: Mapping[str, str], name: str) -> StorageAccount:
        def setting(suffix: str) -> str:
            return env.get(f"{name}__{suffix}", "").strip()

        connection_string = env.get(name, "").strip()
        if connection_string:
            return cls(connection_string=connection_string)
        account, queue_uri, table_uri = setting(_ACCOUNT), setting(_QUEUE_URI), setting(_TABLE_URI)
        credential, client_id = setting(_CREDENTIAL), setting(_CLIENT_ID)
        if not any((account, queue_uri, table_uri, credential, client_id)):
            raise StorageNotConfigured(f"set {name} (a connection string) or {name}__accountName (keyless).")
        if credential and credential.lower() != MANAGED_IDENTITY:
            raise StorageNotConfigured(f"{name}__credential may only be {MANAGED_IDENTITY}, or left out.")
        if client_id and not credential:
            raise StorageNotConfigured(f"{name}__clientId is set, so {name}__credential must be {MANAGED_IDENTITY}.")
        if account:
            queue_uri = queue_uri or f"https://{account}.queue.{_ENDPOINT_SUFFIX}"
            table_uri = table_uri or f"https://{account}.table.{_ENDPOINT_SUFFIX}"
        missing = [f"{name}__{s}" for s, v in (("queueServiceUri", queue_uri), ("tableServiceUri", table_uri)) if not v]
        if missing:
            raise StorageNotConfigured(f"{' and '.join(missing)} missing: set it, or {name}__accountName instead.")
        return cls(
            queue_service_uri=queue_uri,
            table_service_uri=table_uri,
            managed_identity=bool(credential),
            client_id=client_id or None,
        )

    def queue_client(self, queue_name: str, **options: Any) -> QueueClient:
        from azure.storage.queue import QueueClient

        options["transport"] = _pooled_transport(options)
        if self.connection_string is not None:
            return QueueClient.from_connection_string(self.connection_string, queue_name, **options)
        return QueueClient(str(self.queue_service_uri), queue_name, credential=self.credential(), **options)

    def table_client(self, table_name: str, **options: Any) -> TableClient:
        from azure.data.tables import TableClient

        options["transport"] = _pooled_transport(options)
        if self.connection_string is not None:
            return TableClient.from_connection_string(self.connection_string, table_name=table_name, **options)
        return TableClient(str(self.table_service_uri), table_name=table_name, credential=self.credential(), **options)

    def credential(self) -> TokenCredential:
        """The token source of a keyless connection, one per instance: every client made from it shares one
        token cache, so commands do not each ask for a token."""
        return _credential(self.managed_identity, self.client_id)


# What the Functions host does when host.json leaves them out.
DEFAULT_BATCH_SIZE = 16


@cache
def worker_concurrency(host_json: Path = HOST_JSON) -> int:
    """How many queue messages one worker carries out at once: a batch of ``batchSize``, and the next batch
    fetched once no more than ``newBatchThreshold`` of it are left, as host.json sets them (the one place
    that says so)."""
    try:
        queues = json.loads(host_json.read_text(encoding="utf-8"))["extensions"]["queues"]
    except (OSError, ValueError, KeyError, TypeError):
        queues = {}
    batch = int(queues.get("batchSize", DEFAULT_BATCH_SIZE))
    return batch + int(queues.get("newBatchThreshold", batch // 2))


def _pooled_transport(options: Mapping[str, Any]) -> RequestsTransport:
    """azure-core's transport, with ``options``' timeouts, over a connection pool of a connection for each
    message the worker carries out at once: requests' pool keeps 10, and each call past them opens a
    connection the pool then drops, with urllib3's warning "Connection pool is full"."""
    from azure.core.pipeline.transport import RequestsTransport
    from requests import Session
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    # No retries below azure-core's, as in the adapter it mounts itself: its retry policy is the one.
    no_retries = Retry(total=False, redirect=False, raise_on_status=False)
    adapter = HTTPAdapter(pool_maxsize=worker_concurrency(), max_retries=no_retries)
    session = Session()
    for scheme in ("http://", "https://"):
        session.mount(scheme, adapter)
    timeouts = {name: options[name] for name in ("connection_timeout", "read_timeout") if name in options}
    return RequestsTransport(session=session, session_owner=False, **timeouts)


@lru_cache(maxsize=4)
def _credential(managed_identity: bool, client_id: str | None) -> TokenCredential:
    from azure.identity import DefaultAzureCredential, ManagedIdentityCredential

    if managed_identity:
        return ManagedIdentityCredential(client_id=client_id)
    return DefaultAzureCredential()
