"""How many messages wait in the poison queues, logged for the alert on them: queue names and counts only,
never a message's content. Storage's own queue metrics are hourly and account-wide, so the app reports."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from interactions.storage_account import StorageAccount

log = logging.getLogger(__name__)

DEPTH_LOG_PREFIX = "poison queue depth"


def poison_queues(queue: str) -> tuple[str, str]:
    """The host's poison queue of ``queue``, and that of the function reading it."""
    return f"{queue}-poison", f"{queue}-poison-poison"


def depth_line(queue: str, count: int) -> str:
    return f"{DEPTH_LOG_PREFIX}: {queue}={count}"


def report_depths(queues: Iterable[str], count: Callable[[str], int]) -> dict[str, int]:
    """Log each queue's approximate message count; a queue that does not exist yet holds none."""
    depths = {queue: count(queue) for queue in queues}
    for queue, depth in depths.items():
        log.info(depth_line(queue, depth))
    return depths


def queue_counter(storage: StorageAccount) -> Callable[[str], int]:
    """The approximate number of messages in a queue of ``storage``; 0 for a queue not made yet."""
    from azure.core.exceptions import ResourceNotFoundError

    def count(queue: str) -> int:
        try:
            return storage.queue_client(queue).get_queue_properties().approximate_message_count or 0
        except ResourceNotFoundError:
            return 0

    return count
