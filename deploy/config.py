"""What the admin chose (``Config``), the names every resource gets (``Names``), and the app settings the
deploy writes, built from the app's own list of setting names."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from deploy import lists
from deploy.runner import DeployError
from interactions import settings as app_settings
from interactions import storage_account as storage_settings
from interactions.storage_account import CONNECTION, MANAGED_IDENTITY

PYTHON_VERSION = "3.12"
# The queue function, by its function name: always-ready instances are set per function on Flex.
WORKER_FUNCTION = "process_queued_message"
QUEUE_NAME = "slack-commands"
# Concurrent HTTP invocations one instance takes before Flex adds another (Flex's default for Python is 1):
# no more than what `make bench` ("ack concurrency") allows, the largest concurrency within the worker's
# thread pool whose ack p95 stays within its budget (BENCHMARKS.md); its row fails otherwise.
HTTP_PER_INSTANCE_CONCURRENCY = 4
# The Python worker's thread pool for synchronous functions, set explicitly: for Python 3.10 and later its
# default is one thread, which would make every concurrent invocation on an instance wait for the one before.
# At least the HTTP concurrency, so that no ack waits for a thread.
WORKER_THREADS_SETTING = "PYTHON_THREADPOOL_THREAD_COUNT"
WORKER_THREADS = 8
ACK_BUDGET_SECONDS = 1.5
# The cost ceiling (Azure's default is 100): 10 instances take 10 x 4 = 40 acks at once, far above a team's
# traffic, and bill at most 10 x 2 GB while a burst lasts (README, "What it costs").
DEFAULT_MAX_INSTANCES = 10
DEFAULT_INSTANCE_MEMORY = 2048
DEFAULT_TAGS = "app=interactions"

STORAGE_ROLES = ("Storage Blob Data Owner", "Storage Queue Data Contributor", "Storage Table Data Contributor")
MONITORING_ROLE = "Monitoring Metrics Publisher"
VAULT_READER_ROLE = "Key Vault Secrets User"
VAULT_WRITER_ROLE = "Key Vault Secrets Officer"
ROLES = (*STORAGE_ROLES, MONITORING_ROLE, VAULT_READER_ROLE, VAULT_WRITER_ROLE)

# The keyless storage connection the deploy writes, by the names the app reads (interactions.storage_account).
KEYLESS_STORAGE = (storage_settings.ACCOUNT_NAME, storage_settings.CREDENTIAL, storage_settings.CLIENT_ID)
# Settings the platform reads, not the app: telemetry, sent with the identity, and the worker's threads.
INSIGHTS_CONNECTION = "APPLICATIONINSIGHTS_CONNECTION_STRING"
INSIGHTS_AUTHENTICATION = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING"
PLATFORM_SETTINGS = (INSIGHTS_CONNECTION, INSIGHTS_AUTHENTICATION, WORKER_THREADS_SETTING)
# The app's settings that hold secrets, by the name of the Key Vault secret that holds each.
VAULT_SECRETS = {
    app_settings.SIGNING_SECRET: "slack-signing-secret",
    app_settings.BOT_TOKEN: "slack-bot-token",
    app_settings.PSEUDONYM_KEY: "pseudonym-key",
}

_NAME = re.compile(r"[a-z][a-z0-9-]{0,38}[a-z0-9]")
_STORAGE_ACCOUNT = re.compile(r"[a-z0-9]{3,24}")
_LOCATION = re.compile(r"[a-z0-9]+")
_TAG = re.compile(r"[^<>%&\\?/=\s]{1,512}=[^\s]{0,256}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def parse_tags(text: str) -> tuple[tuple[str, str], ...]:
    words = text.split()
    bad = [w for w in words if not _TAG.fullmatch(w)]
    if bad or not words:
        raise DeployError(f"TAGS={text!r}: give one or more key=value pairs separated by spaces.")
    pairs = dict(w.split("=", 1) for w in words)
    return tuple(sorted(pairs.items()))


@dataclass(frozen=True)
class Config:
    name: str
    location: str
    storage_account: str | None = None
    always_ready_http: int = 1
    always_ready_worker: int = 1
    instance_memory: int = DEFAULT_INSTANCE_MEMORY
    max_instances: int = DEFAULT_MAX_INSTANCES
    tags: tuple[tuple[str, str], ...] = (("app", "interactions"),)
    alert_email: str | None = None

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            raise DeployError(
                f"NAME={self.name!r}: use 2-40 lowercase letters, digits and hyphens, starting with a letter."
            )
        if not _LOCATION.fullmatch(self.location):
            raise DeployError(f"LOCATION={self.location!r}: use a region name such as westeurope.")
        if self.storage_account is not None and not _STORAGE_ACCOUNT.fullmatch(self.storage_account):
            raise DeployError(f"STORAGE_ACCOUNT={self.storage_account!r}: use 3-24 lowercase letters and digits.")
        if self.instance_memory not in lists.INSTANCE_MEMORY_MB:
            allowed = ", ".join(str(m) for m in lists.INSTANCE_MEMORY_MB)
            raise DeployError(f"INSTANCE_MEMORY={self.instance_memory}: Flex Consumption offers {allowed} (MB).")
        low, high = lists.MAX_INSTANCES_RANGE
        if not low <= self.max_instances <= high:
            raise DeployError(f"MAX_INSTANCES={self.max_instances}: Flex Consumption accepts {low} to {high}.")
        for name, count in (("ALWAYS_READY_HTTP", self.always_ready_http),
                            ("ALWAYS_READY_WORKER", self.always_ready_worker)):  # fmt: skip
            # Each always-ready instance is billed all month: more than the ceiling is a typo, not a plan.
            if not 0 <= count <= self.max_instances:
                raise DeployError(f"{name}={count}: give 0 to MAX_INSTANCES ({self.max_instances}).")
        if self.alert_email is not None and not _EMAIL.fullmatch(self.alert_email):
            raise DeployError(f"ALERT_EMAIL={self.alert_email!r}: give one email address.")

    @property
    def always_ready(self) -> dict[str, int]:
        return {"http": self.always_ready_http, f"function:{WORKER_FUNCTION}": self.always_ready_worker}

    @property
    def tag_args(self) -> list[str]:
        return [f"{k}={v}" for k, v in self.tags]

    @property
    def tag_map(self) -> dict[str, str]:
        return dict(self.tags)


@dataclass(frozen=True)
class Names:
    group: str
    storage: str
    identity: str
    plan: str
    app: str
    vault: str
    workspace: str
    insights: str
    action_group: str

    @classmethod
    def of(cls, config: Config, storage_account: str | None = None) -> Names:
        return cls(
            group=f"{config.name}-rg",
            storage=storage_account or config.storage_account or global_name(config.name, "st"),
            identity=f"{config.name}-id",
            plan=f"{config.name}-plan",
            app=f"{config.name}-func",
            vault=global_name(config.name, "kv"),
            workspace=f"{config.name}-logs",
            insights=f"{config.name}-insights",
            action_group=f"{config.name}-alerts",
        )


def global_name(name: str, kind: str) -> str:
    """Storage account and vault names are global, 3 to 24 letters and digits: the NAME's letters and digits,
    the kind, and a hash of NAME, so two NAMEs that differ only in hyphens still get two."""
    letters = re.sub(r"[^a-z0-9]", "", name)[:16]
    return f"{letters}{kind}{hashlib.sha256(name.encode()).hexdigest()[:6]}"


def default_storage_account(name: str) -> str:
    return global_name(name, "st")


def vault_reference(vault_uri: str, secret: str) -> str:
    """A reference without a version: the app reads the secret's latest version, so a rotation needs no
    new setting."""
    return f"@Microsoft.KeyVault(SecretUri={vault_uri.rstrip('/')}/secrets/{secret}/)"


def wanted_settings(names: Names, vault_uri: str, client_id: str, insights_connection: str) -> dict[str, str]:
    """Every app setting the deploy writes, by name; no value is a secret."""
    wanted = {setting: vault_reference(vault_uri, secret) for setting, secret in VAULT_SECRETS.items()}
    wanted |= {
        app_settings.QUEUE: QUEUE_NAME,
        app_settings.TABLE: app_settings.DEFAULT_TABLE,
        storage_settings.ACCOUNT_NAME: names.storage,
        storage_settings.CREDENTIAL: MANAGED_IDENTITY,
        storage_settings.CLIENT_ID: client_id,
        INSIGHTS_CONNECTION: insights_connection,
        INSIGHTS_AUTHENTICATION: f"ClientId={client_id};Authorization=AAD",
        WORKER_THREADS_SETTING: str(WORKER_THREADS),
    }
    return wanted


def settings_problems(set_names: set[str]) -> list[str]:
    """The settings a plan writes, against what the app and the platform read: one it writes that nobody
    reads, or one the app needs that it leaves out."""
    readable = set(app_settings.SETTING_NAMES) | set(storage_settings.SETTING_NAMES)
    readable |= set(PLATFORM_SETTINGS)
    needed = {app_settings.SIGNING_SECRET, app_settings.PSEUDONYM_KEY, app_settings.QUEUE, app_settings.BOT_TOKEN}
    needed |= set(KEYLESS_STORAGE)
    problems = [f"setting {n} is written but nothing reads it" for n in sorted(set_names - readable)]
    problems += [f"setting {n} is read by the app but not written" for n in sorted(needed - set_names)]
    if CONNECTION in set_names:
        problems.append(f"setting {CONNECTION} is a connection string with a key: write the keyless settings only")
    return problems


def storage_account_of(settings: Mapping[str, str]) -> str | None:
    """The storage account an existing app uses: from its keyless settings, or its connection string."""
    if settings.get(storage_settings.ACCOUNT_NAME):
        return settings[storage_settings.ACCOUNT_NAME]
    for part in settings.get(CONNECTION, "").split(";"):
        key, _, value = part.partition("=")
        if key.strip().lower() == "accountname" and value.strip():
            return value.strip()
    return None
