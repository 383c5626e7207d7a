"""Putting commands on the Storage Queue, against Azurite: keyless and with a connection string."""

from __future__ import annotations

import pytest
from azure.storage.queue import QueueClient

from interactions import storage_queue
from interactions.storage_account import StorageAccount
from local.azurite import Azurite, Tls
from local.identity_standin import IdentityStandIn

pytestmark = pytest.mark.integration


def test_a_keyless_account_and_a_connection_string_in_one_process_each_keep_their_own_pipeline(
    azurite: Azurite, oauth_azurite: Azurite, tls: Tls, unique_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    identity = IdentityStandIn().start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls.certificate))
    for name, value in identity.environment().items():
        monkeypatch.setenv(name, value)
    keyless = StorageAccount(
        queue_service_uri=oauth_azurite.service_uri("queue"),
        table_service_uri=oauth_azurite.service_uri("table"),
        managed_identity=True,
        client_id=identity.client_id,
    )
    keyed = StorageAccount(connection_string=azurite.connection_string)
    try:
        storage_queue.send(keyed, unique_name, "first")
        storage_queue.send(keyless, unique_name, "second")
        storage_queue.send(keyed, unique_name, "third")  # plain HTTP: a bearer token here would be refused
    finally:
        identity.stop()

    for account, expected in ((azurite, ["first", "third"]), (oauth_azurite, ["second"])):
        queue = QueueClient.from_connection_string(account.connection_string, unique_name)
        assert [m.content for m in queue.peek_messages(max_messages=5)] == expected
