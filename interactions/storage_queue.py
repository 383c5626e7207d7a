"""The Azure Storage Queue between the HTTP function and the worker: the only code that sends to it. Messages
go as raw UTF-8 text (host.json sets ``messageEncoding`` to ``none`` to match); what they hold is
``interactions.queue_message``."""

from __future__ import annotations

from contextlib import suppress
from functools import lru_cache

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError, ServiceResponseError
from azure.storage.queue import LinearRetry, QueueClient

from interactions.ports import OutcomeUnknown
from interactions.storage_account import StorageAccount

# With views.open's 1 s before it, the worst case (a connect timeout, a retry, a read timeout) stays
# within 3 s; refused connections, the usual failure, fail at once.
_CONNECT_TIMEOUT_SECONDS = 0.5
_READ_TIMEOUT_SECONDS = 1


@lru_cache(maxsize=4)
def _client(storage: StorageAccount, queue_name: str) -> QueueClient:
    # The ack path has 3 seconds in all: short timeouts and one quick retry, then the user is told. Only a
    # request that never left is retried (retry_read=0): one whose answer was lost may have queued the
    # command already, and sending it again would answer it twice. A policy object per client: azure-core
    # links a policy to the last pipeline built with it, so a shared one would send one client's requests
    # down another's pipeline (and its credential).
    ack_path_retry = LinearRetry(backoff=0, retry_total=1, random_jitter_range=0, retry_read=0)
    return storage.queue_client(
        queue_name,
        retry_policy=ack_path_retry,
        connection_timeout=_CONNECT_TIMEOUT_SECONDS,
        read_timeout=_READ_TIMEOUT_SECONDS,
    )


def send(storage: StorageAccount, queue_name: str, message: str) -> None:
    """Put one message on the queue, creating the queue on first use. Raises ``OutcomeUnknown`` when it
    may have been queued, and any other error when it was not."""
    client = _client(storage, queue_name)
    try:
        try:
            client.send_message(message)
        except ResourceNotFoundError:
            with suppress(ResourceExistsError):  # another instance created it meanwhile
                client.create_queue()
            client.send_message(message)
    except ServiceResponseError as error:
        raise OutcomeUnknown from error
