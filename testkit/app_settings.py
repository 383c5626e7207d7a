"""The app's settings, as the Functions host would hold them, pointed at local Azurite and the Slack
stand-in. The one place that knows which settings the app reads."""

from __future__ import annotations

from local.slack_standin import SlackStandIn


def app_settings(
    storage: str,
    slack: SlackStandIn,
    *,
    signing_secret: str,
    pseudonym_key: str,
    queue: str,
    table: str,
    bot_token: str = "",
) -> dict[str, str]:
    """``storage``: a connection string. Without ``bot_token``, views come as messages, not modals."""
    return {
        "AzureWebJobsStorage": storage,
        "SLACK_SIGNING_SECRET": signing_secret,
        "INTERACTIONS_PSEUDONYM_KEY": pseudonym_key,
        "INTERACTIONS_QUEUE": queue,
        "INTERACTIONS_TABLE": table,
        "SLACK_BOT_TOKEN": bot_token,
        "SLACK_API_URL": slack.api_url,
        "SLACK_RESPONSE_URL_PREFIXES": slack.url + "/hooks/",
    }


def keyless_settings(queue_uri: str, table_uri: str, client_id: str) -> dict[str, str]:
    """The storage settings of a keyless app with a user-assigned identity, in place of a connection string
    (which is set empty: the local host would otherwise take the example file's)."""
    return {
        "AzureWebJobsStorage": "",
        "AzureWebJobsStorage__queueServiceUri": queue_uri,
        "AzureWebJobsStorage__tableServiceUri": table_uri,
        "AzureWebJobsStorage__credential": "managedidentity",
        "AzureWebJobsStorage__clientId": client_id,
    }
