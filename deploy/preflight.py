"""Everything the deploy must know before it changes anything, read with read-only calls: which subscription,
whether the region and runtime exist there, whether the caller may grant roles, whether Core Tools can
publish to Flex, and what an earlier deploy left. A failed check stops the deploy with nothing changed."""

from __future__ import annotations

import base64
import fnmatch
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from deploy import lists
from deploy.config import PYTHON_VERSION, Config, Names, storage_account_of
from deploy.runner import CommandFailed, DeployError, Runner

ROLE_ASSIGNMENT_WRITE = "Microsoft.Authorization/roleAssignments/write"
PERMISSIONS_API = "2022-04-01"
ARM = "https://management.azure.com"
NOTHING_CHANGED = "nothing was changed."


@dataclass(frozen=True)
class ExistingApp:
    """An app of this NAME from an earlier deploy, and the settings it runs with (values may be secrets)."""

    group: str
    tier: str
    settings: Mapping[str, str] = field(repr=False)


@dataclass(frozen=True)
class Preflight:
    subscription_id: str
    caller_id: str
    caller_type: str
    group_exists: bool
    app: ExistingApp | None
    storage_account: str | None
    vault_deleted: bool


def _json(text: str | None) -> Any:
    return json.loads(text) if text else None


def may_assign_roles(permissions: Sequence[Mapping[str, Any]]) -> bool:
    """Whether Azure's effective permissions at a scope allow creating role assignments: an action that
    matches (wildcards included) and no not-action of the same entry that takes it back."""
    wanted = ROLE_ASSIGNMENT_WRITE.lower()
    for entry in permissions:
        actions = [str(a).lower() for a in entry.get("actions") or []]
        excluded = [str(a).lower() for a in entry.get("notActions") or []]
        if any(fnmatch.fnmatchcase(wanted, a) for a in actions) and not any(
            fnmatch.fnmatchcase(wanted, a) for a in excluded
        ):
            return True
    return False


def core_tools_new_enough(printed: str) -> bool:
    found = lists.version_tuple(printed)
    return bool(found) and found >= lists.version_tuple(lists.CORE_TOOLS_MINIMUM)


def preflight(config: Config, runner: Runner, say: Callable[[str], None], ask: Callable[[str], bool]) -> Preflight:
    names = Names.of(config)
    try:
        account = _json(
            runner.run(
                ["az", "account", "show", "--query", "{name:name,id:id,user:user}", "-o", "json"],
                dry_result=json.dumps(
                    {"name": "<subscription.name>", "id": "<subscription.id>", "user": {"type": "user"}}
                ),
            )
        )
    except CommandFailed as error:
        raise DeployError("the Azure CLI is not logged in: run `az login` (and `az account set -s ...`).") from error
    subscription = str(account["id"])
    say(f"Subscription: {account['name']} ({subscription})")
    if not runner.dry and not ask(f"Deploy {names.app} into {names.group} in this subscription? [y/N] "):
        raise DeployError("stopped at your answer; " + NOTHING_CHANGED)

    _check_region(config, runner)
    group = _json(
        runner.find(["az", "group", "show", "-n", names.group, "--query", "{location:location}", "-o", "json"])
    )
    if group is not None and group.get("location") != config.location:
        raise DeployError(
            f"{names.group} is in {group.get('location')}, not {config.location}: run again with "
            f"LOCATION={group.get('location')}, or choose another NAME; " + NOTHING_CHANGED
        )
    _check_may_grant(runner, subscription, names.group if group is not None else None)
    caller_type, caller_id = _caller(runner, account.get("user") or {})
    printed = runner.run(["func", "--version"], dry_result=lists.CORE_TOOLS_MINIMUM)
    if not core_tools_new_enough(printed):
        raise DeployError(
            f"Core Tools {printed or '(unknown version)'} cannot publish to Flex Consumption: install "
            f"{lists.CORE_TOOLS_MINIMUM} or later "
            "(https://learn.microsoft.com/azure/azure-functions/functions-run-local); " + NOTHING_CHANGED
        )
    app = _existing_app(runner, names)
    deleted = runner.run(
        ["az", "keyvault", "list-deleted", "--resource-type", "vault", "--query", f"[?name=='{names.vault}'].name",
         "-o", "tsv"]
    )  # fmt: skip
    if deleted.strip() != names.vault:
        _check_vault_name(runner, names)
    storage = config.storage_account or (storage_account_of(app.settings) if app else None)
    _check_storage_name(runner, Names.of(config, storage))
    say("Pre-flight checks passed.")
    return Preflight(
        subscription_id=subscription,
        caller_id=caller_id,
        caller_type=caller_type,
        group_exists=group is not None,
        app=app,
        storage_account=storage,
        vault_deleted=deleted.strip() == names.vault,
    )


def _check_vault_name(runner: Runner, names: Names) -> None:
    """Vault names are global too, and one deleted elsewhere stays taken for its retention."""
    if runner.find(["az", "keyvault", "show", "-g", names.group, "-n", names.vault, "--query", "id",
                    "-o", "tsv"]) is not None:  # fmt: skip
        return
    free = runner.run(["az", "keyvault", "check-name", "--name", names.vault, "--query", "nameAvailable", "-o", "tsv"],
                      dry_result="true")  # fmt: skip
    if free != "true":
        raise DeployError(
            f"Key Vault name {names.vault}, made from NAME, is taken in another subscription or group: choose "
            "another NAME; " + NOTHING_CHANGED
        )


def _check_storage_name(runner: Runner, names: Names) -> None:
    """Storage account names are global: one taken elsewhere would stop the deploy half-way."""
    if runner.find(["az", "storage", "account", "show", "-g", names.group, "-n", names.storage, "--query", "id",
                    "-o", "tsv"]) is not None:  # fmt: skip
        return
    free = runner.run(
        ["az", "storage", "account", "check-name", "-n", names.storage, "--query", "nameAvailable", "-o", "tsv"],
        dry_result="true",
    )
    if free != "true":
        raise DeployError(
            f"storage account name {names.storage} is taken (or its account is in another group): choose one with "
            "STORAGE_ACCOUNT=...; " + NOTHING_CHANGED
        )


def _check_region(config: Config, runner: Runner) -> None:
    offered = _json(
        runner.run(
            ["az", "functionapp", "list-flexconsumption-locations", "--query", "[].name", "-o", "json"],
            dry_result=json.dumps(list(lists.FLEX_LOCATIONS.values)),
        )
    ) or []  # fmt: skip
    if config.location not in offered:
        raise DeployError(
            f"LOCATION={config.location} does not offer Flex Consumption; choose one of: "
            f"{', '.join(sorted(offered))}; " + NOTHING_CHANGED
        )
    versions = _json(
        runner.run(
            ["az", "functionapp", "list-flexconsumption-runtimes", "-l", config.location, "--runtime", "python",
             "--query", "[].version", "-o", "json"],
            dry_result=json.dumps(list(lists.FLEX_PYTHON_VERSIONS.values)),
        )
    ) or []  # fmt: skip
    if PYTHON_VERSION not in versions:
        raise DeployError(
            f"{config.location} offers no Python {PYTHON_VERSION} on Flex Consumption (it offers "
            f"{', '.join(versions) or 'none'}); choose another LOCATION; " + NOTHING_CHANGED
        )


def _check_may_grant(runner: Runner, subscription: str, group: str | None) -> None:
    scope = f"/subscriptions/{subscription}" + (f"/resourceGroups/{group}" if group else "")
    permissions = _json(
        runner.run(
            ["az", "rest", "--method", "get", "--url",
             f"{ARM}{scope}/providers/Microsoft.Authorization/permissions?api-version={PERMISSIONS_API}",
             "--query", "value", "-o", "json"],
            dry_result=json.dumps([{"actions": ["*"], "notActions": []}]),
        )
    ) or []  # fmt: skip
    if not may_assign_roles(permissions):
        raise DeployError(
            "you may not create role assignments here, and the app's identity needs some: ask for Owner, or "
            "Role Based Access Control Administrator with Contributor, on the subscription or the group; "
            + NOTHING_CHANGED
        )


def token_object_id(token: str) -> str | None:
    """The ``oid`` claim of an Entra access token (a JWT): the signed-in principal's object id, read without
    Microsoft Graph. The signature is not checked: the token comes from the CLI's own sign-in."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, json.JSONDecodeError):
        return None
    oid = claims.get("oid") if isinstance(claims, dict) else None
    return str(oid) if oid else None


def unsigned_token(claims: Mapping[str, str]) -> str:
    """A token of the given claims, for a dry run's answer."""
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"e30.{body}."


# How `az account show` names a managed identity signed in with `az login --identity`.
MANAGED_IDENTITY_NAMES = ("systemAssignedIdentity", "userAssignedIdentity")


def _caller(runner: Runner, user: Mapping[str, Any]) -> tuple[str, str]:
    """The signed-in principal's type and object id: it is granted the right to write the vault's secrets.
    Read from the access token's ``oid`` claim (users, service principals and managed identities alike, no
    Graph rights needed); Microsoft Graph only if the token has none. The token itself is never printed."""
    kind = "ServicePrincipal" if str(user.get("type")).lower() == "serviceprincipal" else "User"
    try:
        token = runner.run(["az", "account", "get-access-token", "--query", "accessToken", "-o", "tsv"],
                           dry_result=unsigned_token({"oid": "<caller.objectId>"}))  # fmt: skip
    except CommandFailed:
        token = ""
    found = token_object_id(token)
    if found:
        return kind, found
    name = str(user.get("name") or "")
    if kind == "ServicePrincipal" and name in MANAGED_IDENTITY_NAMES:
        raise DeployError(
            "cannot tell the managed identity's object id (its access token has none); run the deploy signed in "
            "as a user or a service principal; " + NOTHING_CHANGED
        )
    graph = (["az", "ad", "sp", "show", "--id", name] if kind == "ServicePrincipal"
             else ["az", "ad", "signed-in-user", "show"])  # fmt: skip
    try:
        return kind, runner.run([*graph, "--query", "id", "-o", "tsv"])
    except CommandFailed as error:
        raise DeployError(
            "cannot tell your object id: the access token has no oid claim and Microsoft Graph refused "
            f"({str(error).splitlines()[-1]}); sign in again with az login; " + NOTHING_CHANGED
        ) from None


def _existing_app(runner: Runner, names: Names) -> ExistingApp | None:
    """An app of this name anywhere in the subscription: updated in place when it is a Flex app in the group;
    otherwise the deploy stops and says how to move it, keeping its data."""
    # `list` rather than `show`: on Flex, `show` reports a missing app as a generic error.
    listed = _json(
        runner.run(
            ["az", "functionapp", "list", "--query",
             f"[?name=='{names.app}'].{{group:resourceGroup,plan:appServicePlanId}}", "-o", "json"],
            dry_result="[]",
        )
    ) or []  # fmt: skip
    if not listed:
        return None
    group, plan = str(listed[0]["group"]), str(listed[0].get("plan") or "")
    tier = runner.run(["az", "appservice", "plan", "show", "--ids", plan, "--query", "sku.tier", "-o", "tsv"])
    settings_list = _json(
        runner.run(["az", "functionapp", "config", "appsettings", "list", "-g", group, "-n", names.app, "-o", "json"])
    ) or []  # fmt: skip
    settings = {str(s["name"]): str(s.get("value") or "") for s in settings_list}
    account = storage_account_of(settings) or "<its storage account>"
    if tier != "FlexConsumption" or group.lower() != names.group.lower():
        raise DeployError(
            f"{names.app} already runs in {group} on the {tier or 'unknown'} plan; a Flex app of that name cannot "
            f"be made next to it. Its data is in storage account {account}: follow README, Deploy to Azure, "
            "Moving an app made by an earlier deploy; " + NOTHING_CHANGED
        )
    return ExistingApp(group=group, tier=tier, settings=settings)
