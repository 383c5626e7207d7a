"""The app's settings, as the Functions host would hold them, pointed at local Azurite and the Slack
stand-in: built from the names the app itself reads (interactions.settings), so that a renamed setting
cannot leave the tests, the local runner, the reliability harness or the benchmarks behind."""

from __future__ import annotations

from typing import Protocol

from interactions import settings
from interactions.storage_account import CONNECTION, MANAGED_IDENTITY


class SlackEndpoints(Protocol):
    """Where the app reaches Slack: the stand-in's base URL (its response_urls start with ``/hooks/``) and
    its Web API."""

    @property
    def url(self) -> str: ...

    @property
    def api_url(self) -> str: ...


def slack_settings(slack: SlackEndpoints) -> dict[str, str]:
    """The settings that send the app's Slack calls and answers to ``slack``, and nowhere else."""
    return {settings.SLACK_API_URL: slack.api_url, settings.RESPONSE_URL_PREFIXES: slack.url + "/hooks/"}


def app_settings(
    storage: str,
    slack: SlackEndpoints,
    *,
    signing_secret: str,
    pseudonym_key: str,
    queue: str,
    table: str,
    bot_token: str = "",
) -> dict[str, str]:
    """``storage``: a connection string. Without ``bot_token``, views come as messages, not modals."""
    return {
        CONNECTION: storage,
        settings.SIGNING_SECRET: signing_secret,
        settings.PSEUDONYM_KEY: pseudonym_key,
        settings.QUEUE: queue,
        settings.TABLE: table,
        settings.BOT_TOKEN: bot_token,
        **slack_settings(slack),
    }


def keyless_settings(queue_uri: str, table_uri: str, client_id: str) -> dict[str, str]:
    """The storage settings of a keyless app with a user-assigned identity, in place of a connection string
    (which is set empty: the local host would otherwise take the example file's)."""
    return {
        CONNECTION: "",
        f"{CONNECTION}__queueServiceUri": queue_uri,
        f"{CONNECTION}__tableServiceUri": table_uri,
        f"{CONNECTION}__credential": MANAGED_IDENTITY,
        f"{CONNECTION}__clientId": client_id,
    }
