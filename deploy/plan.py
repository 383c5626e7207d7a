"""The deploy, as the ``az`` and ``func`` commands it runs: pre-flight checks first (read-only), then every
step looks and changes only what differs, so a second run changes nothing but the code.

Every resource is created with its final security settings (storage without shared keys, Application
Insights without local authentication, the vault in RBAC mode with purge protection, the Flex plan and the
app as ARM objects) and the tags, in ``NAME-rg``. Only an account made by an earlier deploy, whose app still
holds a key, has shared keys turned off later: once the key setting is gone, so that the app is never without
a way to its storage.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deploy import alerts
from deploy.config import (
    HTTP_PER_INSTANCE_CONCURRENCY,
    INSIGHTS_CONNECTION,
    MONITORING_ROLE,
    PYTHON_VERSION,
    STORAGE_ROLES,
    VAULT_READER_ROLE,
    VAULT_SECRETS,
    VAULT_WRITER_ROLE,
    Config,
    Names,
    vault_reference,
    wanted_settings,
)
from deploy.preflight import ARM, ExistingApp, preflight
from deploy.runner import Arg, CommandFailed, DeployError, Runner, Secret
from interactions import settings as app_settings
from interactions.storage_account import CONNECTION

# Where Slack sends each kind of request: the slash commands' Request URL, the Interactivity Request URL (the
# app's buttons and menus) and the Event Subscriptions Request URL (the Home tab).
SLACK_PATHS = {
    "both slash commands' Request URL": "/api/slack/commands",
    "Interactivity & Shortcuts, Request URL": "/api/slack/interactions",
    "Event Subscriptions, Request URL": "/api/slack/events",
}
INSIGHTS_TYPE = "Microsoft.Insights/components"
INSIGHTS_API = "2020-02-02"
SITE_TYPE = "Microsoft.Web/sites"
PLAN_TYPE = "Microsoft.Web/serverfarms"
SITE_API = "2023-12-01"
LOG_RETENTION_DAYS = 30
VAULT_RETENTION_DAYS = 90
# Role assignments take effect within minutes, rarely up to ten (README names the page): look every 10 s.
WAIT_ATTEMPTS = 60
WAIT_SECONDS = 10.0
RESOLVED = "Resolved"
# How `func` reports a package upload refused by storage: the identity's role is not in effect yet.
UPLOAD_REFUSED = ("BlobUploadFailed", "403")


@dataclass(frozen=True)
class SlackSecrets:
    signing_secret: str
    bot_token: str

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, required: bool) -> SlackSecrets:
        names = (app_settings.SIGNING_SECRET, app_settings.BOT_TOKEN)
        missing = [n for n in names if not env.get(n, "").strip()]
        if required and missing:
            raise DeployError(
                f"set {' and '.join(missing)} in the environment (from the Slack app's Basic Information and "
                f"OAuth & Permissions pages), typed unseen and out of the shell's history: "
                + "; ".join(f"read -rs {n} && export {n}" for n in missing)
                + "; nothing was changed."
            )
        secret, token = env.get(names[0], "").strip(), env.get(names[1], "").strip()
        if required and not token.startswith("xoxb-"):
            raise DeployError(
                f"{app_settings.BOT_TOKEN} is not a bot token (xoxb-...): take the Bot User OAuth Token from the "
                "Slack app's OAuth & Permissions page; nothing was changed."
            )
        return cls(secret, token)


def read_pseudonym_key(path: str) -> str:
    """An existing pseudonym key, from the file an admin names: never from a command line, where the process
    list would show it."""
    try:
        key = Path(path).read_text(encoding="utf-8").strip()
    except OSError as error:
        raise DeployError(
            f"PSEUDONYM_KEY_FILE={path!r} cannot be read ({error.strerror}); nothing was changed."
        ) from None
    if not key or "\n" in key:
        raise DeployError(f"PSEUDONYM_KEY_FILE={path!r} must hold the key on one line; nothing was changed.")
    return key


@dataclass(frozen=True)
class Identity:
    id: str
    principal_id: str
    client_id: str


@dataclass(frozen=True)
class Insights:
    id: str
    connection_string: str


@dataclass(frozen=True)
class Storage:
    id: str
    blob_endpoint: str
    # Only on an account of an earlier deploy, whose app may still hold a key.
    shared_key_on: bool


@dataclass(frozen=True)
class Vault:
    id: str
    uri: str


def _json(text: str | None) -> Any:
    return json.loads(text) if text else None


def deploy(
    config: Config,
    slack: SlackSecrets,
    runner: Runner,
    say: Callable[[str], None],
    ask: Callable[[str], bool] = lambda _: False,
    pseudonym_key: str | None = None,
) -> list[str]:
    """Check, provision what is missing, bring settings back to what they should be, publish; the Slack URLs."""
    pre = preflight(config, runner, say, ask)
    names = Names.of(config, pre.storage_account)
    az = _Az(runner, names, config, say)

    if not pre.group_exists:
        runner.run(["az", "group", "create", "-n", names.group, "-l", config.location, "--tags",
                    *config.tag_args, "-o", "none"])  # fmt: skip
    workspace_id = az.workspace()
    insights = az.insights(workspace_id)
    storage = az.storage()
    identity = az.identity()
    vault = az.vault(recover=pre.vault_deleted)

    az.grant(pre.caller_id, pre.caller_type, [(VAULT_WRITER_ROLE, vault.id)])
    held = az.wait_until_vault_writable()
    rotated = az.secrets(slack, held, pre.app, pseudonym_key)

    app_created = az.function_app(identity, storage, insights, pre.app)
    wanted_roles = [(role, storage.id) for role in STORAGE_ROLES]
    wanted_roles += [(MONITORING_ROLE, insights.id), (VAULT_READER_ROLE, vault.id)]
    az.grant(identity.principal_id, "ServicePrincipal", wanted_roles)
    app_id = (f"/subscriptions/{pre.subscription_id}/resourceGroups/{names.group}/providers/{SITE_TYPE}/"
              f"{names.app}")  # fmt: skip
    az.site(identity, app_created=app_created)
    az.settings(wanted_settings(names, vault.uri, identity.client_id, insights.connection_string))
    if storage.shared_key_on:
        runner.run([*_storage_update(names), "--allow-shared-key-access", "false", "-o", "none"])
    az.harden(app_created=app_created)
    az.scale(app_created=app_created)
    alerts.ensure(runner, names, config, insights.id, az.resources())
    az.tag_everything()
    if rotated and not app_created:
        # A reference without a version is read again when the app restarts, not before (up to a day).
        runner.run([*az.app_ref("restart"), "-o", "none"])

    az.wait_until_reachable(app_id)
    az.publish()
    az.check_references(app_id)

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


def _missing_tags(tags: Mapping[str, str] | None, wanted: Mapping[str, str]) -> bool:
    have = tags or {}
    return any(have.get(k) != v for k, v in wanted.items())


def deployment_container(names: Names) -> str:
    """The blob container Flex fetches the app's package from (3 to 63 lowercase letters, digits, hyphens)."""
    return f"app-package-{names.app}"[:63].rstrip("-")


def site_body(config: Config, identity: Identity, plan_id: str, package_url: str, insights: Insights) -> dict[str, Any]:
    """The Flex app as one ARM object, with everything that can be given at creation: the identity (for
    storage, the package, the vault's references and telemetry), HTTPS only, TLS 1.2, no FTP, the runtime,
    the limits and the tags. The app settings follow in their own step, which also brings older apps back."""
    return {
        "location": config.location,
        "kind": "functionapp,linux",
        "tags": config.tag_map,
        "identity": {"type": "UserAssigned", "userAssignedIdentities": {identity.id: {}}},
        "properties": {
            "serverFarmId": plan_id,
            "httpsOnly": True,
            "keyVaultReferenceIdentity": identity.id,
            "siteConfig": {
                "minTlsVersion": "1.2",
                "ftpsState": "Disabled",
                "appSettings": [{"name": INSIGHTS_CONNECTION, "value": insights.connection_string}],
            },
            "functionAppConfig": {
                "deployment": {
                    "storage": {
                        "type": "blobContainer",
                        "value": package_url,
                        "authentication": {
                            "type": "UserAssignedIdentity",
                            "userAssignedIdentityResourceId": identity.id,
                        },
                    }
                },
                "runtime": {"name": "python", "version": PYTHON_VERSION},
                "scaleAndConcurrency": {
                    "instanceMemoryMB": config.instance_memory,
                    "maximumInstanceCount": config.max_instances,
                    "alwaysReady": [{"name": k, "instanceCount": v} for k, v in config.always_ready.items()],
                    "triggers": {"http": {"perInstanceConcurrency": HTTP_PER_INSTANCE_CONCURRENCY}},
                },
            },
        },
    }


@dataclass(frozen=True)
class _Az:
    runner: Runner
    names: Names
    config: Config
    say: Callable[[str], None]

    def app_ref(self, *verb: str) -> list[Arg]:
        return ["az", "functionapp", *verb, "-g", self.names.group, "-n", self.names.app]

    def resources(self) -> list[dict[str, Any]]:
        """Every resource of the group, with its type and tags (a fresh group: none)."""
        listed = _json(
            self.runner.run(["az", "resource", "list", "-g", self.names.group,
                             "--query", "[].{id:id,name:name,type:type,tags:tags}", "-o", "json"], dry_result="[]")
        )  # fmt: skip
        return list(listed or [])

    def workspace(self) -> str:
        n = self.names
        ref = ["az", "monitor", "log-analytics", "workspace"]
        found = self.runner.find([*ref, "show", "-g", n.group, "-n", n.workspace, "--query", "id", "-o", "tsv"])
        if found:
            return found
        return self.runner.run(
            [*ref, "create", "-g", n.group, "-n", n.workspace, "-l", self.config.location,
             "--retention-time", str(LOG_RETENTION_DAYS), "--tags", *self.config.tag_args,
             "--query", "id", "-o", "tsv"],
            dry_result="<workspace.id>",
        )  # fmt: skip

    def insights(self, workspace_id: str) -> Insights:
        """Application Insights on the workspace, local authentication off: only Entra tokens may send."""
        n = self.names
        query = "{id:id,connectionString:properties.ConnectionString,disableLocalAuth:properties.DisableLocalAuth}"
        ref: list[Arg] = ["az", "resource", "-g", n.group, "-n", n.insights, "--resource-type", INSIGHTS_TYPE]
        found = _json(self.runner.find([*ref[:2], "show", *ref[2:], "--query", query, "-o", "json"]))
        if found is None:
            body = {
                "location": self.config.location,
                "kind": "web",
                "tags": self.config.tag_map,
                "properties": {
                    "Application_Type": "web",
                    "WorkspaceResourceId": workspace_id,
                    "IngestionMode": "LogAnalytics",
                    "DisableLocalAuth": True,
                },
            }
            found = _json(
                self.runner.run(
                    [*ref[:2], "create", *ref[2:], "--api-version", INSIGHTS_API, "--is-full-object",
                     "--properties", json.dumps(body, sort_keys=True), "--query", query, "-o", "json"],
                    dry_result=json.dumps({"id": "<insights.id>", "connectionString": "<insights.connectionString>",
                                           "disableLocalAuth": True}),
                )
            )  # fmt: skip
        if found.get("disableLocalAuth") is not True:
            self.runner.run([*ref[:2], "update", *ref[2:], "--set", "properties.DisableLocalAuth=true", "-o", "none"])
        return Insights(id=str(found["id"]), connection_string=str(found["connectionString"]))

    def storage(self) -> Storage:
        """The account, and whether shared keys are still on (only on an account of an earlier deploy)."""
        n = self.names
        fields = "id:id,blob:primaryEndpoints.blob"
        query = f"{{{fields},sharedKey:allowSharedKeyAccess,tls:minimumTlsVersion,publicBlob:allowBlobPublicAccess}}"
        found = _json(
            self.runner.find(["az", "storage", "account", "show", "-g", n.group, "-n", n.storage,
                              "--query", query, "-o", "json"])
        )  # fmt: skip
        if found is None:
            made = _json(self.runner.run(
                ["az", "storage", "account", "create", "-g", n.group, "-n", n.storage, "-l", self.config.location,
                 "--sku", "Standard_LRS", "--kind", "StorageV2", "--min-tls-version", "TLS1_2",
                 "--allow-blob-public-access", "false", "--allow-shared-key-access", "false", "--https-only", "true",
                 "--tags", *self.config.tag_args, "--query", f"{{{fields}}}", "-o", "json"],
                dry_result=json.dumps({"id": "<storage.id>", "blob": f"https://{n.storage}.blob.core.windows.net/"}),
            ))  # fmt: skip
            return Storage(str(made["id"]), str(made["blob"]), shared_key_on=False)
        if found.get("tls") != "TLS1_2" or found.get("publicBlob") is not False:
            secure = ["--min-tls-version", "TLS1_2", "--allow-blob-public-access", "false"]
            self.runner.run([*_storage_update(n), *secure, "-o", "none"])
        # Unset means allowed: only an explicit false is off.
        return Storage(
            str(found["id"]), str(found.get("blob") or ""), shared_key_on=found.get("sharedKey") is not False
        )

    def identity(self) -> Identity:
        n = self.names
        query = "{id:id,principalId:principalId,clientId:clientId}"
        found = self.runner.find(["az", "identity", "show", "-g", n.group, "-n", n.identity, "--query", query,
                                  "-o", "json"])  # fmt: skip
        if found is None:
            placeholders = {"id": "<identity.id>", "principalId": "<identity.principalId>"}
            found = self.runner.run(
                ["az", "identity", "create", "-g", n.group, "-n", n.identity, "-l", self.config.location,
                 "--tags", *self.config.tag_args, "--query", query, "-o", "json"],
                dry_result=json.dumps({**placeholders, "clientId": "<identity.clientId>"}),
            )  # fmt: skip
        fields = json.loads(found)
        return Identity(id=fields["id"], principal_id=fields["principalId"], client_id=fields["clientId"])

    def vault(self, *, recover: bool) -> Vault:
        """The vault of the secrets: RBAC mode, soft delete and purge protection. One deleted with its group
        is recovered, secrets and all: the pseudonym key, and so every member's logs, come back with it."""
        n = self.names
        query = "{id:id,uri:properties.vaultUri,rbac:properties.enableRbacAuthorization,purge:properties.enablePurgeProtection}"  # noqa: E501
        if recover:
            self.say(f"Key Vault {n.vault} was deleted with its group: recovering it, with its secrets.")
            self.runner.run(["az", "keyvault", "recover", "-n", n.vault, "-g", n.group, "-o", "none"])
        found = _json(self.runner.find(["az", "keyvault", "show", "-g", n.group, "-n", n.vault, "--query", query,
                                        "-o", "json"]))  # fmt: skip
        if found is None:
            found = _json(
                self.runner.run(
                    ["az", "keyvault", "create", "-g", n.group, "-n", n.vault, "-l", self.config.location,
                     "--enable-rbac-authorization", "true", "--enable-purge-protection", "true",
                     "--retention-days", str(VAULT_RETENTION_DAYS), "--tags", *self.config.tag_args,
                     "--query", query, "-o", "json"],
                    dry_result=json.dumps({"id": "<vault.id>", "uri": f"https://{n.vault}.vault.azure.net/",
                                           "rbac": True, "purge": True}),
                )
            )  # fmt: skip
        if found.get("rbac") is not True or found.get("purge") is not True:
            secure = ["--enable-rbac-authorization", "true", "--enable-purge-protection", "true"]
            self.runner.run(["az", "keyvault", "update", "-g", n.group, "-n", n.vault, *secure, "-o", "none"])
        return Vault(id=str(found["id"]), uri=str(found["uri"]))

    def grant(self, principal_id: str, principal_type: str, wanted: Sequence[tuple[str, str]]) -> None:
        held = _json(
            self.runner.run(
                ["az", "role", "assignment", "list", "--all", "--assignee-object-id", principal_id,
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
                ["az", "role", "assignment", "create", "--assignee-object-id", principal_id,
                 "--assignee-principal-type", principal_type, "--role", role, "--scope", scope, "-o", "none"]
            )  # fmt: skip

    def _until(self, what: str, probe: Callable[[], str | None], halfway: Callable[[], None] | None = None) -> str:
        """Look until ``probe`` answers, at most WAIT_ATTEMPTS times, saying how long it has waited; ``halfway``
        runs once when half the attempts are spent."""
        last = ""
        for attempt in range(1, WAIT_ATTEMPTS + 1):
            if halfway is not None and attempt == WAIT_ATTEMPTS // 2 + 1:
                halfway()
            try:
                answer = probe()
            except CommandFailed as error:
                answer, last = None, str(error).splitlines()[-1]
            if answer is not None:
                return answer
            self.say(f"  waiting for {what}: {attempt * WAIT_SECONDS:.0f} s of at most "
                     f"{WAIT_ATTEMPTS * WAIT_SECONDS:.0f} s{f' ({last})' if last else ''}")  # fmt: skip
            self.runner.pause(WAIT_SECONDS)
        raise DeployError(
            f"{what}: still not there after {WAIT_ATTEMPTS * WAIT_SECONDS / 60:.0f} minutes. Role assignments "
            "sometimes take longer: run the same make deploy again, it goes on from where it stopped."
        )

    def wait_until_vault_writable(self) -> set[str]:
        """The names of the secrets the vault holds, once the caller's new role lets it list them."""
        listing = ["az", "keyvault", "secret", "list", "--vault-name", self.names.vault, "--query", "[].name",
                   "-o", "json"]  # fmt: skip
        names = self._until(
            "your access to the vault", lambda: self.runner.run(listing, dry_result="[]")
        )  # fmt: skip
        return set(_json(names) or [])

    def secrets(self, slack: SlackSecrets, held: set[str], app: ExistingApp | None, key: str | None) -> bool:
        """The Slack secrets as given (new values rotate them); the pseudonym key as given from a file, else
        the vault's, else an earlier deploy's plain setting moved unchanged, else made once. Whether any
        changed (the app then restarts, to read them)."""
        changed = self._pseudonym_key(held, app, key)
        for setting, value in ((app_settings.SIGNING_SECRET, slack.signing_secret),
                               (app_settings.BOT_TOKEN, slack.bot_token)):  # fmt: skip
            if self._secret(setting, held) != value:
                self._set_secret(setting, value)
                changed = True
        return changed

    def _secret(self, setting: str, held: set[str]) -> str | None:
        if VAULT_SECRETS[setting] not in held:
            return None
        return self.runner.find(["az", "keyvault", "secret", "show", "--vault-name", self.names.vault,
                                 "--name", VAULT_SECRETS[setting], "--query", "value", "-o", "tsv"])  # fmt: skip

    def _pseudonym_key(self, held: set[str], app: ExistingApp | None, key: str | None) -> bool:
        setting = app_settings.PSEUDONYM_KEY
        if key is not None:
            if self._secret(setting, held) == key:
                return False
            self.say(f"Storing the pseudonym key from PSEUDONYM_KEY_FILE in {self.names.vault}.")
            self._set_secret(setting, key)
            return True
        if VAULT_SECRETS[setting] in held:
            return False
        earlier = (app.settings if app else {}).get(setting, "")
        if earlier.startswith("@Microsoft.KeyVault("):
            if self.runner.dry:
                # A plan may not read the vault before its role is granted: the deploy itself will know.
                self.say(f"  {self.names.vault} shows no {VAULT_SECRETS[setting]} to this plan; the deploy stops "
                         "if it is really missing, and never makes a new one.")  # fmt: skip
                return False
            # The app's members' logs are keyed by a secret that is gone: a new one would orphan them all.
            raise DeployError(
                f"the app reads {setting} from the vault, but {self.names.vault} holds no "
                f"{VAULT_SECRETS[setting]}. Restore it from your backup (az keyvault secret restore --vault-name "
                f"{self.names.vault} --file pseudonym-key.backup), or give the key itself with "
                "PSEUDONYM_KEY_FILE=<file holding it>, then run make deploy again. No new key was made: one "
                "would orphan every member's logs."
            )
        if earlier:
            self.say(f"Moving {setting} from the app's settings into the vault, unchanged.")
            self._set_secret(setting, earlier)
            return True
        self._set_secret(setting, secrets.token_hex(32))
        return False

    def _set_secret(self, setting: str, value: str) -> None:
        self.runner.run(
            ["az", "keyvault", "secret", "set", "--vault-name", self.names.vault, "--name", VAULT_SECRETS[setting],
             "--file", Secret(f"<{setting}>", value), "--encoding", "utf-8", "--query", "id", "-o", "none"]
        )  # fmt: skip

    def function_app(self, identity: Identity, storage: Storage, insights: Insights, app: ExistingApp | None) -> bool:
        """Whether the app was created by this run. The Flex plan and the site are made as ARM objects, with
        their tags and final settings: `az functionapp create --flexconsumption-location` makes an untagged
        plan of its own (a tag policy denies it), and takes no `--plan` with the Flex options."""
        if app is not None:
            self._keyless_deployment_storage(identity)
            return False
        plan_id = self._flex_plan()
        container = deployment_container(self.names)
        self.runner.run(
            ["az", "storage", "container-rm", "create", "-g", self.names.group, "--storage-account",
             self.names.storage, "-n", container, "-o", "none"]
        )  # fmt: skip
        body = site_body(self.config, identity, plan_id, f"{storage.blob_endpoint.rstrip('/')}/{container}", insights)
        self.runner.run([*self._site_ref("create"), "--is-full-object", "--properties",
                         json.dumps(body, sort_keys=True), "-o", "none"])  # fmt: skip
        return True

    def _flex_plan(self) -> str:
        ref: list[Arg] = ["az", "resource", "-g", self.names.group, "-n", self.names.plan, "--resource-type",
                          PLAN_TYPE, "--api-version", SITE_API]  # fmt: skip
        found = self.runner.find([*ref[:2], "show", *ref[2:], "--query", "id", "-o", "tsv"])
        if found:
            return found
        body = {
            "location": self.config.location,
            "kind": "functionapp",
            "sku": {"name": "FC1", "tier": "FlexConsumption"},
            "properties": {"reserved": True},
            "tags": self.config.tag_map,
        }
        return self.runner.run(
            [*ref[:2], "create", *ref[2:], "--is-full-object", "--properties", json.dumps(body, sort_keys=True),
             "--query", "id", "-o", "tsv"],
            dry_result="<plan.id>",
        )  # fmt: skip

    def _keyless_deployment_storage(self, identity: Identity) -> None:
        """An app made elsewhere may fetch its package with a connection string."""
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

    def _site_ref(self, verb: str) -> list[Arg]:
        return ["az", "resource", verb, "-g", self.names.group, "-n", self.names.app, "--resource-type", SITE_TYPE,
                "--api-version", SITE_API]  # fmt: skip

    def site(self, identity: Identity, *, app_created: bool) -> None:
        """HTTPS only, and Key Vault references resolved with the user-assigned identity: set on the site
        resource, since a read-modify-write `az functionapp update --set` fails on Flex."""
        query = "{httpsOnly:properties.httpsOnly,vaultIdentity:properties.keyVaultReferenceIdentity}"
        found = _json(
            self.runner.run([*self._site_ref("show"), "--query", query, "-o", "json"],
                            dry_result=json.dumps({"httpsOnly": True, "vaultIdentity": identity.id if app_created
                                                   else "SystemAssigned"}))
        ) or {}  # fmt: skip
        if found.get("httpsOnly") is True and str(found.get("vaultIdentity")).lower() == identity.id.lower():
            return
        self.runner.run(
            [*self._site_ref("update"), "--set", "properties.httpsOnly=true",
             f"properties.keyVaultReferenceIdentity={identity.id}", "-o", "none"]
        )  # fmt: skip

    def settings(self, wanted: Mapping[str, str]) -> None:
        listed = _json(self.runner.run([*self.app_ref("config", "appsettings", "list"), "-o", "json"], dry_result="[]"))
        current: dict[str, str] = {s["name"]: s.get("value") or "" for s in listed or []}
        changed: list[Arg] = [f"{name}={value}" for name, value in wanted.items() if current.get(name) != value]
        if changed:
            self.runner.run([*self.app_ref("config", "appsettings", "set"), "--settings", *changed, "-o", "none"])
        # The connection string wins over the keyless settings (an app of an earlier deploy holds one).
        if CONNECTION in current:
            self.runner.run(
                [*self.app_ref("config", "appsettings", "delete"), "--setting-names", CONNECTION, "-o", "none"]
            )
        keyed = sorted(n for n, v in current.items() if "AccountKey=" in v and n != CONNECTION)
        if keyed:
            self.say(f"These settings hold an account key and were left as they are: {', '.join(keyed)}.")

    def harden(self, *, app_created: bool) -> None:
        """No basic publishing credentials (SCM, FTP), no FTP, TLS 1.2 at least. The credentials policies are
        resources of their own, made on by the site's creation: they are turned off before any code is sent."""
        for policy in ("scm", "ftp"):
            ref: list[Arg] = ["az", "resource", "-g", self.names.group, "-n", policy, "--namespace", "Microsoft.Web",
                              "--resource-type", "basicPublishingCredentialsPolicies", "--parent",
                              f"sites/{self.names.app}"]  # fmt: skip
            allowed = self.runner.run([*ref[:2], "show", *ref[2:], "--query", "properties.allow", "-o", "tsv"],
                                      dry_result="true")  # fmt: skip
            if allowed != "false":
                self.runner.run([*ref[:2], "update", *ref[2:], "--set", "properties.allow=false", "-o", "none"])
        web = _json(
            self.runner.run([*self.app_ref("config", "show"), "--query", "{ftps:ftpsState,tls:minTlsVersion}", "-o",
                             "json"], dry_result=json.dumps({"ftps": "Disabled", "tls": "1.2"} if app_created else {}))
        ) or {}  # fmt: skip
        if web.get("ftps") != "Disabled" or web.get("tls") not in ("1.2", "1.3"):
            self.runner.run([*self.app_ref("config", "set"), "--ftps-state", "Disabled", "--min-tls-version", "1.2",
                             "-o", "none"])  # fmt: skip

    def scale(self, *, app_created: bool) -> None:
        """Instance memory, the cost ceiling, always-ready counts and the HTTP concurrency, where they differ."""
        c = self.config
        made = {"instanceMemoryMB": c.instance_memory, "maximumInstanceCount": c.max_instances,
                "alwaysReady": [{"name": k, "instanceCount": v} for k, v in c.always_ready.items()],
                "http": HTTP_PER_INSTANCE_CONCURRENCY}  # fmt: skip
        scale = _json(
            self.runner.run(
                [*self.app_ref("scale", "config", "show"),
                 "--query", "{alwaysReady:alwaysReady,instanceMemoryMB:instanceMemoryMB,"
                            "maximumInstanceCount:maximumInstanceCount,http:triggers.http.perInstanceConcurrency}",
                 "-o", "json"],
                dry_result=json.dumps(made if app_created else {}),
            )
        ) or {}  # fmt: skip
        changes: list[Arg] = []
        if scale.get("instanceMemoryMB") != c.instance_memory:
            changes += ["--instance-memory", str(c.instance_memory)]
        if scale.get("maximumInstanceCount") != c.max_instances:
            changes += ["--maximum-instance-count", str(c.max_instances)]
        if scale.get("http") != HTTP_PER_INSTANCE_CONCURRENCY:
            changes += ["--trigger-type", "http", "--trigger-settings",
                        f"perInstanceConcurrency={HTTP_PER_INSTANCE_CONCURRENCY}"]  # fmt: skip
        if changes:
            self.runner.run([*self.app_ref("scale", "config", "set"), *changes, "-o", "none"])
        current = {r.get("name"): r.get("instanceCount") for r in scale.get("alwaysReady") or []}
        # An entry for a function the app no longer has (a renamed one) would keep an instance billed for nothing.
        stale = sorted(str(name) for name in current if name not in c.always_ready)
        if stale:
            self.runner.run(
                [*self.app_ref("scale", "config", "always-ready", "delete"), "--setting-names", *stale, "-o", "none"]
            )
        if any(current.get(k) != v for k, v in c.always_ready.items()):
            settings = [f"{k}={v}" for k, v in c.always_ready.items()]
            self.runner.run(
                [*self.app_ref("scale", "config", "always-ready", "set"), "--settings", *settings, "-o", "none"]
            )

    def tag_everything(self) -> None:
        """The tags on the group and on every resource in it, including what `create` commands made on their
        own in an earlier deploy (its Flex plan), merged into the tags each already has."""
        wanted = self.config.tag_map
        group = _json(self.runner.run(["az", "group", "show", "-n", self.names.group, "--query",
                                       "{id:id,tags:tags}", "-o", "json"],
                                      dry_result=json.dumps({"id": "<group.id>", "tags": wanted})))  # fmt: skip
        targets = [*([group] if group else []), *self.resources()]
        for resource in targets:
            if _missing_tags(resource.get("tags"), wanted):
                self.runner.run(["az", "tag", "update", "--resource-id", str(resource["id"]), "--operation", "Merge",
                                 "--tags", *self.config.tag_args, "-o", "none"])  # fmt: skip

    def _references(self, app_id: str) -> list[dict[str, Any]]:
        """The app's Key Vault references, by setting name (ARM may name each with its parents' path)."""
        listed = self.runner.run(
            ["az", "rest", "--method", "get", "--url",
             f"{ARM}{app_id}/config/configreferences/appsettings?api-version={SITE_API}",
             "--query", "value[].{name:name,status:properties.status}", "-o", "json"],
            dry_result=json.dumps([{"name": n, "status": RESOLVED} for n in VAULT_SECRETS]),
        )  # fmt: skip
        return [{**r, "name": str(r.get("name")).rsplit("/", 1)[-1]} for r in _json(listed) or []]

    def wait_until_reachable(self, app_id: str) -> None:
        """Before publishing: the identity reads the vault (every reference resolves) and the host, which
        reaches its storage with the identity, is running."""

        def vault() -> str | None:
            references = self._references(app_id)
            resolved = bool(references) and all(r.get("status") == RESOLVED for r in references)
            return "yes" if resolved else None

        def host() -> str | None:
            state = self.runner.find(
                ["az", "rest", "--method", "get", "--url",
                 f"{ARM}{app_id}/host/default/properties/status?api-version={SITE_API}",
                 "--query", "properties.state", "-o", "tsv"],
                dry_result="Running",
            )  # fmt: skip
            if state is None:
                # A new app without code reports no host status: publishing itself is then the proof that
                # the identity reaches storage, retried while its role takes effect (`publish`).
                self.say("  the app's host reports no status yet (no code); publishing, and retrying while the "
                         "identity's storage role takes effect.")  # fmt: skip
                return "unknown"
            return state if state == "Running" else None

        def restart() -> None:
            # A reference's status may be kept from before its role existed until the app restarts.
            self.say("  restarting the app once, so that it reads its Key Vault references again.")
            self.runner.run([*self.app_ref("restart"), "-o", "none"])

        self._until("the app's identity to read the vault", vault, halfway=restart)
        self._until("the app's host to reach its storage", host)

    def publish(self) -> None:
        """Publish the code; Flex refuses the package's upload (403) while the identity's storage role is
        new, so a refused upload is tried again, bounded like every wait."""
        command: list[Arg] = ["func", "azure", "functionapp", "publish", self.names.app, "--python"]

        def upload() -> str | None:
            try:
                self.runner.publish(command)
            except CommandFailed as error:
                if not any(sign in error.stderr for sign in UPLOAD_REFUSED):
                    raise DeployError(str(error)) from None  # not a wait: a broken package stays broken
                raise CommandFailed(error.command, error.returncode, "the package's upload was refused (403)") from None
            return "published"

        self._until("the app's identity to accept the package", upload)

    def check_references(self, app_id: str) -> None:
        """After publishing: fails loudly unless every Key Vault reference is resolved."""
        references = self._references(app_id)
        unresolved = [f"{r.get('name')} ({r.get('status')})" for r in references if r.get("status") != RESOLVED]
        missing = sorted(set(VAULT_SECRETS) - {str(r.get("name")) for r in references})
        if unresolved or missing:
            raise DeployError(
                "the app cannot read its secrets from the vault: "
                + ", ".join(unresolved + [f"{m} (no reference)" for m in missing])
                + f". Check that {self.names.identity} holds {VAULT_READER_ROLE} on {self.names.vault}, then run "
                "make deploy again."
            )


__all__ = ["Config", "Names", "SlackSecrets", "deploy", "vault_reference"]
