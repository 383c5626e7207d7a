"""App settings: a missing required one stops the app with a log line saying which; the rest have defaults."""

from __future__ import annotations

import logging

import pytest

from interactions.model import MAX_DAYS
from interactions.settings import (
    DEFAULT_RESPONSE_URL_PREFIXES,
    DEFAULT_SLACK_API_URL,
    DEFAULT_TABLE,
    InvalidSetting,
    MissingSetting,
    Settings,
)
from interactions.storage_account import StorageAccount

REQUIRED = {
    "SLACK_SIGNING_SECRET": "signing-secret",
    "INTERACTIONS_PSEUDONYM_KEY": "pseudonym-key",
    "AzureWebJobsStorage": "UseDevelopmentStorage=true",
    "INTERACTIONS_QUEUE": "interactions-commands",
}


def test_the_required_settings_are_read() -> None:
    settings = Settings.from_env(REQUIRED)
    assert settings.signing_secret == "signing-secret"
    assert settings.pseudonym_key == b"pseudonym-key"
    assert settings.storage == StorageAccount(connection_string="UseDevelopmentStorage=true")
    assert settings.queue == "interactions-commands"


def test_defaults() -> None:
    settings = Settings.from_env(REQUIRED)
    assert settings.table == DEFAULT_TABLE == "interactions"
    assert settings.bot_token is None
    assert settings.slack_api_url == DEFAULT_SLACK_API_URL == "https://slack.com/api/"
    assert settings.response_url_prefixes == DEFAULT_RESPONSE_URL_PREFIXES == ("https://hooks.slack.com/",)


def test_empty_optional_settings_fall_back_to_defaults() -> None:
    env = {
        **REQUIRED,
        "INTERACTIONS_TABLE": "",
        "SLACK_BOT_TOKEN": "",
        "SLACK_API_URL": "",
        "SLACK_RESPONSE_URL_PREFIXES": " , ,",
    }
    assert Settings.from_env(env) == Settings.from_env(REQUIRED)


def test_optional_settings_are_read() -> None:
    settings = Settings.from_env(
        {
            **REQUIRED,
            "INTERACTIONS_TABLE": "mytable",
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_API_URL": "http://127.0.0.1:9999/api/",
        }
    )
    assert settings.table == "mytable"
    assert settings.bot_token == "xoxb-1"
    assert settings.slack_api_url == "http://127.0.0.1:9999/api/"


@pytest.mark.parametrize(
    ("value", "prefixes"),
    [
        ("https://hooks.slack.com/", ("https://hooks.slack.com/",)),
        ("https://a.example/,https://b.example/", ("https://a.example/", "https://b.example/")),
        (" https://a.example/ ,, https://b.example/ , ", ("https://a.example/", "https://b.example/")),
        ("", DEFAULT_RESPONSE_URL_PREFIXES),
    ],
)
def test_response_url_prefixes_are_a_comma_separated_list(value: str, prefixes: tuple[str, ...]) -> None:
    settings = Settings.from_env({**REQUIRED, "SLACK_RESPONSE_URL_PREFIXES": value})
    assert settings.response_url_prefixes == prefixes


@pytest.mark.parametrize("name", list(REQUIRED))
@pytest.mark.parametrize("value", [None, "", "   "], ids=["absent", "empty", "blank"])
def test_a_missing_required_setting_stops_the_app_and_says_which(
    name: str, value: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    env = {k: v for k, v in REQUIRED.items() if k != name}
    if value is not None:
        env[name] = value
    with caplog.at_level(logging.ERROR, logger="interactions.settings"), pytest.raises(MissingSetting, match=name):
        Settings.from_env(env)
    errors = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert len(errors) == 1
    assert name in errors[0].getMessage()


def test_no_settings_at_all_names_the_first_missing(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR), pytest.raises(MissingSetting, match="SLACK_SIGNING_SECRET"):
        Settings.from_env({})
    assert "SLACK_SIGNING_SECRET" in caplog.text


def test_settings_values_are_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    env = {k: v for k, v in REQUIRED.items() if k != "INTERACTIONS_QUEUE"}
    with caplog.at_level(logging.DEBUG), pytest.raises(MissingSetting):
        Settings.from_env(env)
    assert "signing-secret" not in caplog.text
    assert "pseudonym-key" not in caplog.text


def test_the_retention_defaults_to_the_longest_view_and_is_read_in_days() -> None:
    assert Settings.from_env(REQUIRED).retention_days == MAX_DAYS == 3650
    assert Settings.from_env({**REQUIRED, "INTERACTIONS_RETENTION_DAYS": ""}).retention_days == 3650
    assert Settings.from_env({**REQUIRED, "INTERACTIONS_RETENTION_DAYS": " 30 "}).retention_days == 30


@pytest.mark.parametrize("value", ["0", "-1", "30.5", "thirty", "３０", "1e3"])
def test_a_retention_that_is_not_a_whole_number_of_days_stops_the_app_and_says_which(
    value: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG), pytest.raises(InvalidSetting, match="INTERACTIONS_RETENTION_DAYS"):
        Settings.from_env({**REQUIRED, "INTERACTIONS_RETENTION_DAYS": value})
    (error,) = [record.getMessage() for record in caplog.records if record.levelno == logging.ERROR]
    assert "INTERACTIONS_RETENTION_DAYS" in error and value not in error
