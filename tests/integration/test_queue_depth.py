"""The poison queues' depth, as the app logs it for the alert: counts read from Azurite, names and numbers only."""

from __future__ import annotations

import logging

import pytest
from azure.storage.queue import QueueClient

from interactions.queue_depth import DEPTH_LOG_PREFIX, poison_queues, queue_counter, report_depths
from interactions.storage_account import StorageAccount
from local.azurite import Azurite

pytestmark = pytest.mark.integration


def test_each_poison_queue_is_logged_with_its_count_and_a_missing_one_as_empty(
    azurite: Azurite, unique_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    poison, poison_of_poison = poison_queues(unique_name)
    queue = QueueClient.from_connection_string(azurite.connection_string, poison)
    queue.create_queue()
    for text in ("U0SECRET logged @don +", "U0SECRET logged @amy -"):
        queue.send_message(text)

    with caplog.at_level(logging.INFO, logger="interactions.queue_depth"):
        depths = report_depths((poison, poison_of_poison), queue_counter(StorageAccount(azurite.connection_string)))

    assert depths == {poison: 2, poison_of_poison: 0}
    assert [r.getMessage() for r in caplog.records] == [
        f"{DEPTH_LOG_PREFIX}: {poison}=2",
        f"{DEPTH_LOG_PREFIX}: {poison_of_poison}=0",
    ]
    assert "U0SECRET" not in caplog.text
