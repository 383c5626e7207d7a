"""The deploy, as the ``az`` and ``func`` commands it runs: every step looks first and changes only what
differs, so a second run changes nothing but the code.

Keyless in the end: ``az functionapp create`` writes ``AzureWebJobsStorage`` with the account key, so the
identity settings go in first, then every setting that holds a key comes out, and only then are shared keys
turned off on the account (turning them off first would stop the app between the two).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from deploy.runner import Arg, CommandFailed, DeployError, Runner, Secret

QUEUE = "slack-commands"
TABLE = "interactions"
PYTHON_VERSION = "3.12"
WORKER_FUNCTION = "process_command"
# Where Slack sends each kind of request: the slash commands' Request URL, the Interactivity Request URL (the
# app's buttons and menus) and the Event Subscriptions Request URL (the Home tab).
SLACK_PATHS = {
    "both slash commands' Request URL": "/api/slack/commands",
    "Interactivity & Shortcuts, Request URL": "/api/slack/interactions",
    "Event Subscriptions, Request URL": "/api/slack/events",
}

STORAGE_ROLES = ("Storage Blob Data Owner", "Storage Queue Data Contributor", "Storage Table Data Contributor")
MONITORING_ROLE = "Monitoring Metrics Publisher"
APP_INSIGHTS_TYPE = "microsoft.insights/components"
PSEUDONYM_KEY = "INTERACTIONS_PSEUDONYM_KEY"
# Settings that held the account key once the identity settings replace them.
KEY_SETTINGS = ("AzureWebJobsStorage", "DEPLOYMENT_STORAGE_CONNECTION_STRING")

_NAME = re.compile(r"[a-z][a-z0-9-]{0,38}[a-z0-9]")
_STORAGE_ACCOUNT = re.compile(r"[a-z0-9]{3,24}")
_LOCATION = re.compile(r"[a-z0-9]+")
_IDENTITY_QUERY = "{id:id,principalId:principalId,clientId:clientId}"


@dataclass(frozen=True)
class Config:
    name: str
    location: str
    storage_account: str | None = None
    always_ready_http: int = 1
    always_ready_worker: int = 1
    instance_memory: int = 2048

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            raise DeployError(
                f"NAME={self.name!r}: use 2-40 lowercase letters, digits and hyphens, starting with a letter."
            )
        if not _LOCATION.fullmatch(self.location):
            raise DeployError(f"LOCATION={self.location!r}: use a region name such as westeurope.")
        if self.storage_account is not None and not _STORAGE_ACCOUNT.fullmatch(self.storage_account):
            raise DeployError(f"STORAGE_ACCOUNT={self.storage_account!r}: use 3-24 lowercase letters and digits.")
        if min(self.always_ready_http, self.always_ready_worker) < 0:
            raise DeployError("always-ready instance counts cannot be negative.")

    @property
    def always_ready(self) -> dict[str, int]:
        return {"http": self.always_ready_http, f"function:{WORKER_FUNCTION}": self.always_ready_worker}


@dataclass(frozen=True)
class Names:
    group: str
    storage: str
    identity: str
    app: str

    @classmethod
    def of(cls, config: Config) -> Names:
        return cls(
            group=f"{config.name}-rg",
            storage=config.storage_account or default_storage_account(config.name),
            identity=f"{config.name}-id",
            app=f"{config.name}-func",
        )


def default_storage_account(name: str) -> str:
    """Storage account names are global: the NAME's letters and digits, and a hash of it, so two NAMEs that
    differ only in hyphens still get two accounts."""
    letters = re.sub(r"[^a-z0-9]", "", name)[:16]
    return f"{letters}st{hashlib.sha256(name.encode()).hexdigest()[:6]}"


@dataclass(frozen=True)
class SlackSecrets:
    signing_secret: str
    bot_token: str

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, required: bool) -> SlackSecrets:
        names = ("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN")
        missing = [n for n in names if not env.get(n, "").strip()]
        if required and missing:
            raise DeployError(
                f"set {' and '.join(missing)} in the environment (from the Slack app's Basic Information and "
                "OAuth & Permissions pages); nothing was changed."
            )
        return cls(env.get(names[0], "").strip(), env.get(names[1], "").strip())


def secret_setting(name: str, value: str) -> Secret:
    return Secret(shown=f"{name}=<{name}>", value=f"{name}={value}")


@dataclass(frozen=True)
class Identity:
    id: str
    principal_id: str
    client_id: str


def _json(text: str | None) -> Any:
    return json.loads(text) if text else None


def deploy(config: Config, slack: SlackSecrets, runner: Runner, say: Callable[[str], None]) -> list[str]:
    """Provision what is missing, bring settings back to what they should be, publish; the Slack URLs."""
    names = Names.of(config)
    az = _Az(runner, names)

    try:
        runner.run(["az", "account", "show", "--query", "id", "-o", "tsv"], dry_result="<subscription.id>")
    except CommandFailed as error:
        raise DeployError("the Azure CLI is not logged in: run `az login` (and `az account set -s ...`).") from error

    if runner.run(["az", "group", "exists", "-n", names.group], dry_result="false") != "true":
        runner.run(["az", "group", "create", "-n", names.group, "-l", config.location, "-o", "none"])

    storage_id, shared_key_on = az.storage(config.location)
    identity = az.identity(config.location)
    app_created, https_only = az.function_app(config, identity)
    insights = _json(
        runner.find(
            [*az.insights_ref(), "--query", "{id:id,disableLocalAuth:properties.DisableLocalAuth}", "-o", "json"],
            dry_result=json.dumps({"id": "<appInsights.id>", "disableLocalAuth": None}),
        )
    )
    if insights is None:
        say(f"Application Insights {names.app} not found: the app runs without it (create it and run again).")

    scopes = [(role, storage_id) for role in STORAGE_ROLES]
    if insights is not None:
        scopes.append((MONITORING_ROLE, insights["id"]))
    az.grant(identity, scopes)

    az.settings(config, slack, identity, app_created, with_insights=insights is not None)
    if shared_key_on:
        runner.run(
            [*_storage_update(names), "--allow-shared-key-access", "false", "-o", "none"],
        )
    if insights is not None and insights.get("disableLocalAuth") is not True:
        runner.run([*az.insights_ref(update=True), "--set", "properties.DisableLocalAuth=true", "-o", "none"])
    if not app_created:
        az.existing_app(config, https_only=https_only)

    runner.publish(["func", "azure", "functionapp", "publish", names.app, "--python"])

    # Flex apps are shown as the raw ARM resource (host name under properties); others flattened.
    host = runner.run(
        [*az.app_ref("show"), "--query", "properties.defaultHostName || defaultHostName", "-o", "tsv"],
        dry_result="<defaultHostName>",
    )
    if not host:
        raise DeployError(f"{names.app} reports no host name; find it with `az functionapp show`.")
    return [f"{where}: https://{host}{path}" for where, path in SLACK_PATHS.items()]


def _storage_update(names: Names) -> list[Arg]:
    return ["az", "storage", "account", "update", "-g", names.group, "-n", names.storage]


@dataclass(frozen=True)
class _Az:
    runner: Runner
    names: Names

    def app_ref(self, *verb: str) -> list[Arg]:
        return ["az", "functionapp", *verb, "-g", self.names.group, "-n", self.names.app]

    def insights_ref(self, *, update: bool = False) -> list[Arg]:
        verb = "update" if update else "show"
        return ["az", "resource", verb, "-g", self.names.group, "-n", self.names.app,
                "--resource-type", APP_INSIGHTS_TYPE]  # fmt: skip

    def storage(self, location: str) -> tuple[str, bool]:
        """The account's id, and whether shared keys are still on."""
        n = self.names
        query = "{id:id,sharedKey:allowSharedKeyAccess,tls:minimumTlsVersion,publicBlob:allowBlobPublicAccess}"
        found = _json(
            self.runner.find(["az", "storage", "account", "show", "-g", n.group, "-n", n.storage,
                              "--query", query, "-o", "json"])
        )  # fmt: skip
        if found is None:
            free = self.runner.run(
                ["az", "storage", "account", "check-name", "-n", n.storage, "--query", "nameAvailable", "-o", "tsv"],
                dry_result="true",
            )
            if free != "true":
                raise DeployError(f"storage account name {n.storage} is taken: choose one with STORAGE_ACCOUNT=...")
            storage_id = self.runner.run(
                ["az", "storage", "account", "create", "-g", n.group, "-n", n.storage, "-l", location,
                 "--sku", "Standard_LRS", "--kind", "StorageV2", "--min-tls-version", "TLS1_2",
                 "--allow-blob-public-access", "false", "--https-only", "true", "--query", "id", "-o", "tsv"],
                dry_result="<storage.id>",
            )  # fmt: skip
            return storage_id, True
        if found.get("tls") != "TLS1_2" or found.get("publicBlob") is not False:
            secure = ["--min-tls-version", "TLS1_2", "--allow-blob-public-access", "false"]
            self.runner.run([*_storage_update(n), *secure, "-o", "none"])
        # Unset means allowed: only an explicit false is off.
        return str(found["id"]), found.get("sharedKey") is not False

    def identity(self, location: str) -> Identity:
        n = self.names
        found = self.runner.find(
            ["az", "identity", "show", "-g", n.group, "-n", n.identity, "--query", _IDENTITY_QUERY, "-o", "json"]
        )
        if found is None:
            placeholders = {"id": "<identity.id>", "principalId": "<identity.principalId>"}
            found = self.runner.run(
                ["az", "identity", "create", "-g", n.group, "-n", n.identity, "-l", location,
                 "--query", _IDENTITY_QUERY, "-o", "json"],
                dry_result=json.dumps({**placeholders, "clientId": "<identity.clientId>"}),
            )  # fmt: skip
        fields = json.loads(found)
        return Identity(id=fields["id"], principal_id=fields["principalId"], client_id=fields["clientId"])

    def function_app(self, config: Config, identity: Identity) -> tuple[bool, bool]:
        """Whether the app was created by this run, and whether it is HTTPS-only."""
        n = self.names
        # `list` rather than `show`: on Flex, `show` reports a missing app as a generic error.
        listed = _json(
            self.runner.run(
                ["az", "functionapp", "list", "-g", n.group, "--query", "[].{name:name,httpsOnly:httpsOnly}", "-o",
                 "json"],
                dry_result="[]",
            )
        )  # fmt: skip
        found = [app for app in listed or [] if str(app.get("name")).lower() == n.app]
        if found:
            self._keyless_deployment_storage(identity)
            return False, found[0].get("httpsOnly") is True
        always_ready = [f"{k}={v}" for k, v in config.always_ready.items()]
        self.runner.run(
            [*self.app_ref("create"), "-s", n.storage, "--flexconsumption-location", config.location,
             "--runtime", "python", "--runtime-version", PYTHON_VERSION,
             "--instance-memory", str(config.instance_memory), "--always-ready-instances", *always_ready,
             "--assign-identity", identity.id,
             "--deployment-storage-name", n.storage, "--deployment-storage-auth-type", "UserAssignedIdentity",
             "--deployment-storage-auth-value", identity.id, "--https-only", "true", "-o", "none"]
        )  # fmt: skip
        return True, True

    def _keyless_deployment_storage(self, identity: Identity) -> None:
        """An app made elsewhere may fetch its package with a connection string, which is about to go."""
        query = "storage.authentication.{type:type,identity:userAssignedIdentityResourceId}"
        auth = _json(
            self.runner.run([*self.app_ref("deployment", "config", "show"), "--query", query, "-o", "json"])
        ) or {}  # fmt: skip
        if auth.get("type") == "UserAssignedIdentity" and str(auth.get("identity")).lower() == identity.id.lower():
            return
        self.runner.run(
            [*self.app_ref("deployment", "config", "set"), "--deployment-storage-auth-type", "UserAssignedIdentity",
             "--deployment-storage-auth-value", identity.id, "-o", "none"]
        )  # fmt: skip

    def grant(self, identity: Identity, wanted: Sequence[tuple[str, str]]) -> None:
        held = _json(
            self.runner.run(
                ["az", "role", "assignment", "list", "--all", "--assignee-object-id", identity.principal_id,
                 "--fill-principal-name", "false", "--query", "[].{role:roleDefinitionName,scope:scope}", "-o",
                 "json"],
                dry_result="[]",
            )
        ) or []  # fmt: skip
        have = {(a["role"], str(a["scope"]).lower()) for a in held}
        for role, scope in wanted:
            if (role, scope.lower()) in have:
                continue
            self.runner.run(
                ["az", "role", "assignment", "create", "--assignee-object-id", identity.principal_id,
                 "--assignee-principal-type", "ServicePrincipal", "--role", role, "--scope", scope, "-o", "none"]
            )  # fmt: skip

    def settings(
        self, config: Config, slack: SlackSecrets, identity: Identity, app_created: bool, *, with_insights: bool
    ) -> None:
        listed = _json(self.runner.run([*self.app_ref("config", "appsettings", "list"), "-o", "json"], dry_result="[]"))
        current: dict[str, str] = {s["name"]: s.get("value") or "" for s in listed or []}

        wanted: dict[str, str | Secret] = {
            "SLACK_SIGNING_SECRET": Secret("<SLACK_SIGNING_SECRET>", slack.signing_secret),
            "SLACK_BOT_TOKEN": Secret("<SLACK_BOT_TOKEN>", slack.bot_token),
            "INTERACTIONS_QUEUE": QUEUE,
            "INTERACTIONS_TABLE": TABLE,
            "AzureWebJobsStorage__accountName": self.names.storage,
            "AzureWebJobsStorage__credential": "managedidentity",
            "AzureWebJobsStorage__clientId": identity.client_id,
        }
        if with_insights:
            wanted["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = f"ClientId={identity.client_id};Authorization=AAD"
        # Never replaced: the pseudonyms, and so every member's logs, hang on this key.
        if not current.get(PSEUDONYM_KEY):
            wanted[PSEUDONYM_KEY] = Secret(f"<{PSEUDONYM_KEY}>", secrets.token_hex(32))

        changed: list[Arg] = []
        for name, value in wanted.items():
            plain = value.value if isinstance(value, Secret) else value
            if current.get(name) == plain:
                continue
            changed.append(secret_setting(name, plain) if isinstance(value, Secret) else f"{name}={value}")
        if changed:
            self.runner.run([*self.app_ref("config", "appsettings", "set"), "--settings", *changed, "-o", "none"])

        keyed = {name for name, value in current.items() if "AccountKey=" in value}
        keyed |= {name for name in KEY_SETTINGS if name in current}
        if app_created:
            keyed.add("AzureWebJobsStorage")
        if keyed:
            self.runner.run(
                [*self.app_ref("config", "appsettings", "delete"), "--setting-names", *sorted(keyed), "-o", "none"]
            )

    def existing_app(self, config: Config, *, https_only: bool) -> None:
        """What `create` set on a new app, brought back on an existing one where it differs."""
        if not https_only:
            self.runner.run([*self.app_ref("update"), "--set", "httpsOnly=true", "-o", "none"])
        scale = _json(
            self.runner.run(
                [*self.app_ref("scale", "config", "show"),
                 "--query", "{alwaysReady:alwaysReady,instanceMemoryMB:instanceMemoryMB}", "-o", "json"],
                dry_result="{}",
            )
        ) or {}  # fmt: skip
        if scale.get("instanceMemoryMB") != config.instance_memory:
            self.runner.run(
                [*self.app_ref("scale", "config", "set"), "--instance-memory", str(config.instance_memory), "-o",
                 "none"]
            )  # fmt: skip
        current = {r.get("name"): r.get("instanceCount") for r in scale.get("alwaysReady") or []}
        if any(current.get(k) != v for k, v in config.always_ready.items()):
            settings = [f"{k}={v}" for k, v in config.always_ready.items()]
            self.runner.run(
                [*self.app_ref("scale", "config", "always-ready", "set"), "--settings", *settings, "-o", "none"]
            )
