"""App settings, read from the environment (Azure app settings, or local.settings.json locally)."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from interactions.model import MAX_DAYS
from interactions.storage_account import StorageAccount, StorageNotConfigured

log = logging.getLogger(__name__)

DEFAULT_TABLE = "interactions"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_RESPONSE_URL_PREFIXES = ("https://hooks.slack.com/",)
DEFAULT_RETENTION_DAYS = MAX_DAYS  # the longest view: an older entry could never be shown

# The names of the app settings the app reads: the one list that the deploy, the local host and the tests
# build settings from. Storage is the Functions host's connection (interactions.storage_account).
SIGNING_SECRET = "SLACK_SIGNING_SECRET"  # noqa: S105 - the name of a setting, not its value
PSEUDONYM_KEY = "INTERACTIONS_PSEUDONYM_KEY"
QUEUE = "INTERACTIONS_QUEUE"
TABLE = "INTERACTIONS_TABLE"
BOT_TOKEN = "SLACK_BOT_TOKEN"  # noqa: S105 - the name of a setting, not its value
SLACK_API_URL = "SLACK_API_URL"
RESPONSE_URL_PREFIXES = "SLACK_RESPONSE_URL_PREFIXES"
RETENTION_DAYS = "INTERACTIONS_RETENTION_DAYS"
SETTING_NAMES = (
    SIGNING_SECRET,
    PSEUDONYM_KEY,
    QUEUE,
    TABLE,
    BOT_TOKEN,
    SLACK_API_URL,
    RESPONSE_URL_PREFIXES,
    RETENTION_DAYS,
)


class MissingSetting(RuntimeError):
    """A required setting is absent: the app must not run half-configured."""


class InvalidSetting(MissingSetting):
    """A setting holds a value the app cannot use: stopped like a missing one, rather than guessed at."""


@dataclass(frozen=True)
class Settings:
    # Secrets stay out of repr(), and so out of any log line or traceback that shows the settings.
    signing_secret: str = field(repr=False)
    pseudonym_key: bytes = field(repr=False)
    storage: StorageAccount
    queue: str
    table: str = DEFAULT_TABLE
    bot_token: str | None = field(default=None, repr=False)
    slack_api_url: str = DEFAULT_SLACK_API_URL
    response_url_prefixes: tuple[str, ...] = DEFAULT_RESPONSE_URL_PREFIXES
    retention_days: int = DEFAULT_RETENTION_DAYS

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        prefixes = tuple(p.strip() for p in env.get(RESPONSE_URL_PREFIXES, "").split(",") if p.strip())
        return cls(
            signing_secret=_required(env, SIGNING_SECRET),
            pseudonym_key=_required(env, PSEUDONYM_KEY).encode(),
            storage=_storage(env),
            queue=_required(env, QUEUE),
            table=env.get(TABLE) or DEFAULT_TABLE,
            bot_token=env.get(BOT_TOKEN) or None,
            slack_api_url=env.get(SLACK_API_URL) or DEFAULT_SLACK_API_URL,
            response_url_prefixes=prefixes or DEFAULT_RESPONSE_URL_PREFIXES,
            retention_days=_days(env, RETENTION_DAYS, DEFAULT_RETENTION_DAYS),
        )


def _storage(env: Mapping[str, str]) -> StorageAccount:
    try:
        return StorageAccount.from_settings(env)
    except StorageNotConfigured as error:  # logged where it was found, naming what is missing
        raise MissingSetting(str(error)) from error


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        log.error("Required app setting %s is missing or empty; see README.md, Settings.", name)
        raise MissingSetting(f"required app setting {name} is missing or empty")
    return value


def _days(env: Mapping[str, str], name: str, default: int) -> int:
    """A whole number of days, at least 1; empty or absent, the default. The value is not logged: a
    mistyped secret pasted into the wrong setting must not end up in the logs."""
    value = env.get(name, "").strip()
    if not value:
        return default
    if not (value.isascii() and value.isdigit()) or int(value) < 1:
        log.error("App setting %s must be a whole number of days, at least 1; see README.md, Settings.", name)
        raise InvalidSetting(f"app setting {name} must be a whole number of days, at least 1")
    return int(value)
