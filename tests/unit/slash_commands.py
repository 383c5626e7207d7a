"""Signed slash commands for the acknowledging use case's tests, and its answer to one."""

from __future__ import annotations

import urllib.parse
from dataclasses import replace

from interactions.receive import Reply, receive
from interactions.settings import Settings
from interactions.slack.replays import ReplayGuard
from interactions.storage_account import StorageAccount
from testkit.slack_requests import command_form, signed_headers
from tests.fakes import FakeQueue, FakeSlack

SECRET = "unit-signing-secret"
KEY = b"unit-pseudonym-key"
NOW = 1_700_000_000
SETTINGS = Settings(
    signing_secret=SECRET,
    pseudonym_key=KEY,
    storage=StorageAccount(connection_string="UseDevelopmentStorage=true"),
    queue="commands",
)
WITH_TOKEN = replace(SETTINGS, bot_token="xoxb-unit")
SLACK_URL = "https://hooks.slack.com"  # inside the default SLACK_RESPONSE_URL_PREFIXES


def form(text: str, user: str = "U0ME", **changes: str) -> bytes:
    fields = {**command_form(user, "T0TEAM", "/interactions", text, SLACK_URL), **changes}
    return urllib.parse.urlencode({k: v for k, v in fields.items() if v is not None}).encode()


def send(
    body: bytes,
    queue: FakeQueue,
    slack: FakeSlack | None = None,
    *,
    timestamp: int = NOW,
    secret: str = SECRET,
    replays: ReplayGuard | None = None,
    settings: Settings = SETTINGS,
) -> Reply:
    return receive(
        body,
        signed_headers(secret, body, timestamp),
        settings,
        queue,
        modals=(lambda: slack) if slack is not None else None,
        now=lambda: NOW,
        replays=replays or ReplayGuard(),
    )
