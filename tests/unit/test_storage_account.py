"""The storage connection is read as the Functions host reads it: a connection string, or the identity-based
settings in either form; a partial set stops the app with one log line naming what is missing."""

from __future__ import annotations

import logging

import pytest

from interactions.settings import MissingSetting, Settings
from interactions.storage_account import StorageAccount, StorageNotConfigured

CONNECTION_STRING = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=c2VjcmV0LWtleQ==;"
APP = {"SLACK_SIGNING_SECRET": "s", "INTERACTIONS_PSEUDONYM_KEY": "k", "INTERACTIONS_QUEUE": "q"}


def test_a_connection_string_is_used_as_it_is() -> None:
    account = StorageAccount.from_settings({"AzureWebJobsStorage": CONNECTION_STRING})
    assert account.connection_string == CONNECTION_STRING
    assert not account.keyless


def test_the_connection_string_wins_over_identity_settings_as_in_the_host() -> None:
    env = {"AzureWebJobsStorage": CONNECTION_STRING, "AzureWebJobsStorage__accountName": "other"}
    assert StorageAccount.from_settings(env).connection_string == CONNECTION_STRING


def test_the_account_name_gives_the_public_endpoints() -> None:
    env = {
        "AzureWebJobsStorage__accountName": "acct",
        "AzureWebJobsStorage__credential": "managedidentity",
        "AzureWebJobsStorage__clientId": "00000000-0000-0000-0000-00000000c1d0",
    }
    account = StorageAccount.from_settings(env)
    assert account == StorageAccount(
        queue_service_uri="https://acct.queue.core.windows.net",
        table_service_uri="https://acct.table.core.windows.net",
        managed_identity=True,
        client_id="00000000-0000-0000-0000-00000000c1d0",
    )
    assert account.keyless


def test_service_uris_are_the_other_form_and_default_to_the_developer_credential() -> None:
    env = {
        "AzureWebJobsStorage__queueServiceUri": "https://127.0.0.1:10001/devstoreaccount1",
        "AzureWebJobsStorage__tableServiceUri": "https://127.0.0.1:10002/devstoreaccount1",
    }
    account = StorageAccount.from_settings(env)
    assert account.queue_service_uri == "https://127.0.0.1:10001/devstoreaccount1"
    assert account.table_service_uri == "https://127.0.0.1:10002/devstoreaccount1"
    assert not account.managed_identity


def test_the_credential_setting_ignores_case() -> None:
    env = {"AzureWebJobsStorage__accountName": "acct", "AzureWebJobsStorage__credential": "ManagedIdentity"}
    assert StorageAccount.from_settings(env).managed_identity


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "AzureWebJobsStorage__accountName"),
        ({"AzureWebJobsStorage": "  "}, "AzureWebJobsStorage"),
        ({"AzureWebJobsStorage__queueServiceUri": "https://q"}, "AzureWebJobsStorage__tableServiceUri"),
        ({"AzureWebJobsStorage__tableServiceUri": "https://t"}, "AzureWebJobsStorage__queueServiceUri"),
        ({"AzureWebJobsStorage__credential": "managedidentity"}, "AzureWebJobsStorage__queueServiceUri"),
        ({"AzureWebJobsStorage__clientId": "c1d"}, "AzureWebJobsStorage__credential"),
        (
            {"AzureWebJobsStorage__accountName": "acct", "AzureWebJobsStorage__clientId": "c1d"},
            "AzureWebJobsStorage__credential",
        ),
        (
            {"AzureWebJobsStorage__accountName": "acct", "AzureWebJobsStorage__credential": "connectionstring"},
            "AzureWebJobsStorage__credential",
        ),
    ],
)
def test_a_partial_set_fails_with_one_log_line_naming_what_is_missing(
    env: dict[str, str], named: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG), pytest.raises(StorageNotConfigured, match=named):
        StorageAccount.from_settings(env)
    assert [record.levelno for record in caplog.records] == [logging.ERROR]
    assert named in caplog.records[0].getMessage()


def test_the_app_stops_on_a_partial_set_and_prints_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    env = {**APP, "AzureWebJobsStorage__queueServiceUri": "https://q", "AzureWebJobsStorage__clientId": "c1d"}
    with caplog.at_level(logging.DEBUG), pytest.raises(MissingSetting, match="AzureWebJobsStorage__credential"):
        Settings.from_env(env)
    assert len(caplog.records) == 1
    assert "c2VjcmV0" not in repr(Settings.from_env({**APP, "AzureWebJobsStorage": CONNECTION_STRING}))


def test_keyless_settings_alone_are_enough_for_the_app() -> None:
    settings = Settings.from_env({**APP, "AzureWebJobsStorage__accountName": "acct"})
    assert settings.storage.keyless
    assert settings.storage.queue_service_uri == "https://acct.queue.core.windows.net"


def test_every_client_of_an_instance_shares_one_credential_and_so_one_token_cache() -> None:
    first = StorageAccount(queue_service_uri="https://q", table_service_uri="https://t", managed_identity=True)
    same = StorageAccount(queue_service_uri="https://q2", table_service_uri="https://t2", managed_identity=True)
    assert first.credential() is same.credential()
    other = StorageAccount(queue_service_uri="https://q", table_service_uri="https://t", client_id=None)
    assert other.credential() is not first.credential()
