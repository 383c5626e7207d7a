"""The deploy's plan: what a first deploy runs (its dry run), what a second changes (nothing but the code),
what pre-flight stops, where the secrets go, the limits, the hardening, the alerts, the waits, migration,
the preview and the teardown. Nothing here needs an Azure subscription: ``az`` is answered by a fake."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from deploy.__main__ import main
from deploy.config import Config, Names, default_storage_account, parse_tags
from deploy.destroy import destroy
from deploy.plan import WAIT_ATTEMPTS
from deploy.preflight import core_tools_new_enough, may_assign_roles, token_object_id, unsigned_token
from deploy.preview import PreviewRunner
from deploy.runner import Arg, DeployError, Secret, real, shown
from tests.unit.deploy_fakes import (
    ARGS,
    FAILS,
    FAKE_BOT_TOKEN,
    FAKE_SIGNING_SECRET,
    NAMES,
    NOT_FOUND,
    REFUSED,
    SECRET_ENV,
    SUBSCRIPTION,
    Subscription,
    deployed_settings,
    turns,
)

ROOT = Path(__file__).resolve().parents[2]
MAKE = shutil.which("make") or "make"
PERMISSIONS = (f"az rest --method get --url https://management.azure.com/subscriptions/{SUBSCRIPTION}/resourceGroups/"
               "demo-rg/providers/Microsoft.Authorization/permissions")  # fmt: skip


def _dry(*extra: str) -> list[list[str]]:
    done = subprocess.run(
        [sys.executable, "-m", "deploy", "--dry-run", "--name", "demo", "--location", "westeurope", *extra],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, **SECRET_ENV},
    )
    for secret in (FAKE_SIGNING_SECRET, FAKE_BOT_TOKEN, "AccountKey"):
        assert secret not in done.stdout + done.stderr
    return [shlex.split(line) for line in done.stdout.splitlines()]


@pytest.fixture(scope="module")
def dry_run() -> list[list[str]]:
    return _dry("--alert-email", "ops@example.com")


def _index(commands: list[list[str]], *prefix: str) -> int:
    matches = [i for i, argv in enumerate(commands) if argv[: len(prefix)] == list(prefix)]
    assert matches, f"no command starts with {' '.join(prefix)}"
    return matches[0]


def _flag(argv: list[str], flag: str) -> list[str]:
    """The values that follow ``flag``, up to the next flag."""
    start = argv.index(flag) + 1
    values = []
    for word in argv[start:]:
        if word.startswith("-"):
            break
        values.append(word)
    return values


def _site_create(commands: list[list[str]]) -> int:
    return next(
        i for i, a in enumerate(commands) if a[:3] == ["az", "resource", "create"] and "Microsoft.Web/sites" in a
    )


def _site(commands: list[list[str]]) -> dict[str, Any]:
    """The Flex app as the deploy creates it: one ARM object."""
    body: dict[str, Any] = json.loads(_flag(commands[_site_create(commands)], "--properties")[0])
    return body


def _deploy(subscription: Subscription, *extra: str, env: dict[str, str] | None = None) -> int:
    return main([*ARGS, *extra], env=SECRET_ENV if env is None else env, runner=subscription)


# --- a first deploy: compliant at creation -------------------------------------------------------------------


def test_every_line_is_an_az_or_func_command(dry_run: list[list[str]]) -> None:
    assert {argv[0] for argv in dry_run} == {"az", "func"}


def test_storage_is_created_without_shared_keys_and_never_switched(dry_run: list[list[str]]) -> None:
    create = dry_run[_index(dry_run, "az", "storage", "account", "create")]
    assert _flag(create, "--allow-shared-key-access") == ["false"]
    assert _flag(create, "--min-tls-version") == ["TLS1_2"]
    assert _flag(create, "--allow-blob-public-access") == ["false"]
    assert not any(argv[:4] == ["az", "storage", "account", "update"] for argv in dry_run)


def test_logs_and_app_insights_are_made_in_the_group_before_the_app_and_handed_to_it(
    dry_run: list[list[str]],
) -> None:
    workspace = _index(dry_run, "az", "monitor", "log-analytics", "workspace", "create")
    assert _flag(dry_run[workspace], "--retention-time") == ["30"]
    insights = next(i for i, a in enumerate(dry_run) if a[:3] == ["az", "resource", "create"]
                    and "Microsoft.Insights/components" in a)  # fmt: skip
    body = json.loads(_flag(dry_run[insights], "--properties")[0])
    assert body["properties"]["DisableLocalAuth"] is True
    assert body["properties"]["WorkspaceResourceId"] == "<workspace.id>"
    app = _site_create(dry_run)
    assert workspace < insights < app
    settings = _site(dry_run)["properties"]["siteConfig"]["appSettings"]
    assert {"name": "APPLICATIONINSIGHTS_CONNECTION_STRING", "value": "<insights.connectionString>"} in settings
    assert all(_flag(argv, "-g") == ["demo-rg"] for argv in dry_run if "-g" in argv)


def test_every_resource_is_created_with_the_tags(dry_run: list[list[str]]) -> None:
    custom = _dry("--tags", "costcenter=42 owner=ops")
    # Role assignments and the package's blob container are parts of other resources and take no tags.
    creates = [a for a in custom if "create" in a[:6] and a[1:3] not in (["role", "assignment"],
                                                                          ["storage", "container-rm"])]  # fmt: skip
    assert len(creates) >= 9
    for argv in creates:
        if "--properties" in argv:
            assert json.loads(_flag(argv, "--properties")[0])["tags"] == {"costcenter": "42", "owner": "ops"}
        else:
            assert _flag(argv, "--tags") == ["costcenter=42", "owner=ops"], argv
    with pytest.raises(DeployError):
        parse_tags("no-equals-sign")


def test_the_flex_plan_is_made_tagged_before_the_app_and_the_app_on_it(dry_run: list[list[str]]) -> None:
    plan = next(i for i, a in enumerate(dry_run) if a[:3] == ["az", "resource", "create"]
                and "Microsoft.Web/serverfarms" in a)  # fmt: skip
    body = json.loads(_flag(dry_run[plan], "--properties")[0])
    assert body["tags"] == {"app": "interactions"}
    assert body["sku"] == {"name": "FC1", "tier": "FlexConsumption"}
    assert body["kind"] == "functionapp" and body["properties"]["reserved"] is True
    assert plan < _site_create(dry_run)
    assert _site(dry_run)["properties"]["serverFarmId"] == "<plan.id>"
    # `functionapp create` would make an untagged plan of its own, which a tag policy denies.
    assert not any(argv[:3] == ["az", "functionapp", "create"] for argv in dry_run)


def test_the_app_is_created_with_its_final_settings_and_only_its_credentials_policies_follow(
    dry_run: list[list[str]],
) -> None:
    site = _site(dry_run)
    props = site["properties"]
    assert site["tags"] == {"app": "interactions"}
    assert site["identity"] == {"type": "UserAssigned", "userAssignedIdentities": {"<identity.id>": {}}}
    assert props["httpsOnly"] is True and props["keyVaultReferenceIdentity"] == "<identity.id>"
    assert (props["siteConfig"]["minTlsVersion"], props["siteConfig"]["ftpsState"]) == ("1.2", "Disabled")
    flex = props["functionAppConfig"]
    assert flex["runtime"] == {"name": "python", "version": "3.12"}
    storage = flex["deployment"]["storage"]
    assert storage["value"] == f"https://{NAMES.storage}.blob.core.windows.net/app-package-demo-func"
    assert storage["authentication"] == {
        "type": "UserAssignedIdentity",
        "userAssignedIdentityResourceId": "<identity.id>",
    }
    container = dry_run[_index(dry_run, "az", "storage", "container-rm", "create")]
    assert _flag(container, "-n") == ["app-package-demo-func"]
    after = [" ".join(a) for a in dry_run[_site_create(dry_run) + 1 :] if a[2:3] in (["update"], ["set"])]
    assert all("basicPublishingCredentialsPolicies" in line or "appsettings" in line for line in after), after


def test_the_app_sends_telemetry_with_its_identity(dry_run: list[list[str]]) -> None:
    grants = [argv for argv in dry_run if argv[:4] == ["az", "role", "assignment", "create"]]
    assert ["<insights.id>"] == [_flag(g, "--scope")[0] for g in grants if _flag(g, "--role") == [
        "Monitoring Metrics Publisher"]]  # fmt: skip
    settings = dict(s.split("=", 1) for s in _flag(dry_run[_index(dry_run, "az", "functionapp", "config",
                                                                  "appsettings", "set")], "--settings"))  # fmt: skip
    assert settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] == "ClientId=<identity.clientId>;Authorization=AAD"


def test_storage_account_names_are_valid_and_stable() -> None:
    for name in ("demo", "a-very-long-prefix-with-many-hyphens-40", "x1"):
        account = default_storage_account(name)
        assert account == default_storage_account(name)
        assert 3 <= len(account) <= 24
        assert account.isalnum() and account == account.lower()
    assert default_storage_account("ab-c") != default_storage_account("abc")
    assert Names.of(Config("demo", "westeurope", storage_account="mine123")).storage == "mine123"
    with pytest.raises(DeployError):
        Config("demo", "westeurope", storage_account="Not-Valid")


# --- pre-flight ------------------------------------------------------------------------------------------------


def test_the_subscription_is_shown_and_a_no_changes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    subscription = Subscription()
    args = [a for a in ARGS if a != "--yes"]
    assert main(args, env=SECRET_ENV, runner=subscription, ask=lambda _: False) == 1
    err = capsys.readouterr().err
    assert "Subscription: Contoso (00000000-0000-0000-0000-000000000001)" in err
    assert subscription.changes() == []
    assert len(subscription.commands) == 1


@pytest.mark.parametrize(
    ("answers", "told"),
    [
        ({"az functionapp list-flexconsumption-locations": ["northeurope"]}, "does not offer Flex Consumption"),
        ({"az functionapp list-flexconsumption-runtimes": ["3.11"]}, "no Python 3.12"),
        ({"az group show -n demo-rg --query {location:location}": {"location": "eastus"}}, "LOCATION=eastus"),
        ({PERMISSIONS: [{"actions": ["*"], "notActions": ["Microsoft.Authorization/*/Write"]}]}, "may not create role"),
        ({"func --version": "4.0.5455"}, "cannot publish to Flex"),
        ({"az appservice plan show": "Dynamic"}, "Dynamic plan"),
        ({"az storage account show": "", "az storage account check-name": "false"}, "is taken"),
        ({"az keyvault show": "", "az keyvault check-name": "false"}, "is taken in another"),
    ],
)  # fmt: skip
def test_a_failed_check_changes_nothing_and_says_what_to_do(
    answers: dict[str, object], told: str, capsys: pytest.CaptureFixture[str]
) -> None:
    subscription = Subscription(answers)
    assert _deploy(subscription) == 1
    err = capsys.readouterr().err
    assert told in err and "nothing was changed" in err
    assert subscription.changes() == []


def test_a_dry_run_for_a_region_without_flex_stops_at_once() -> None:
    done = subprocess.run([sys.executable, "-m", "deploy", "--dry-run", "--name", "demo", "--location", "mars"],
                          capture_output=True, text=True, check=False, cwd=ROOT)  # fmt: skip
    assert done.returncode == 1
    assert "LOCATION=mars does not offer Flex Consumption" in done.stderr
    assert "create" not in done.stdout


def test_secrets_are_typed_unseen_and_out_of_the_shells_history(capsys: pytest.CaptureFixture[str]) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN"):
        assert f"read -rs {name} && export {name}" in readme
        assert f"export {name}=" not in readme
    assert _deploy(Subscription(), env={"SLACK_BOT_TOKEN": FAKE_BOT_TOKEN}) == 1
    assert "read -rs SLACK_SIGNING_SECRET && export SLACK_SIGNING_SECRET" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("env", "told"),
    [
        ({"SLACK_BOT_TOKEN": FAKE_BOT_TOKEN}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_SIGNING_SECRET": FAKE_SIGNING_SECRET}, "SLACK_BOT_TOKEN"),
        ({**SECRET_ENV, "SLACK_BOT_TOKEN": "xoxp-a-user-token"}, "not a bot token"),
    ],
)
def test_slack_variables_are_checked_before_any_command(
    env: dict[str, str], told: str, capsys: pytest.CaptureFixture[str]
) -> None:
    subscription = Subscription()
    assert _deploy(subscription, env=env) == 1
    assert told in capsys.readouterr().err
    assert subscription.commands == []


@pytest.mark.parametrize(
    "user",
    [
        {"type": "servicePrincipal", "name": "11111111-2222-3333-4444-555555555555"},
        {"type": "servicePrincipal", "name": "systemAssignedIdentity"},
    ],
)
def test_a_service_principal_or_managed_identity_is_granted_the_vault_by_its_token_object_id(
    user: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    token = unsigned_token({"oid": "principal-object-id", "appid": "x"})
    subscription = Subscription({
        "az account show": {"name": "Contoso", "id": SUBSCRIPTION, "user": user},
        "az account get-access-token": token,
        "az role assignment list --all --assignee-object-id principal-object-id": [],
        "az ad": FAILS,  # no Microsoft Graph rights
    })  # fmt: skip
    assert _deploy(subscription) == 0
    grant = next(line for line in subscription.lines() if "--role 'Key Vault Secrets Officer'" in line)
    assert "--assignee-object-id principal-object-id --assignee-principal-type ServicePrincipal" in grant
    assert not any(line.startswith("az ad ") for line in subscription.lines())
    assert token not in capsys.readouterr().err + "\n".join(subscription.lines())


def test_a_token_without_an_object_id_falls_back_to_microsoft_graph() -> None:
    subscription = Subscription({"az account get-access-token": FAILS})
    assert _deploy(subscription) == 0
    assert "az ad signed-in-user show --query id -o tsv" in subscription.lines()
    grant = [line for line in subscription.lines() if "--assignee-object-id caller-id" in line]
    assert grant, "the caller found through Graph is the one whose roles are read"


def test_the_object_id_is_the_tokens_oid_claim_and_a_token_without_one_gives_none() -> None:
    assert token_object_id(unsigned_token({"oid": "0f1e2d3c", "sub": "s"}) + "signature") == "0f1e2d3c"
    assert token_object_id(unsigned_token({"sub": "s"})) is None
    assert token_object_id("not a token") is None
    assert token_object_id("a.%%%.c") is None


def test_role_assignment_rights_are_read_from_the_effective_permissions() -> None:
    assert may_assign_roles([{"actions": ["*"], "notActions": []}])
    assert may_assign_roles([{"actions": ["Microsoft.Authorization/roleAssignments/*"]}])
    assert not may_assign_roles([{"actions": ["*"], "notActions": ["Microsoft.Authorization/*/Write"]}])
    assert not may_assign_roles([{"actions": ["*/read"], "notActions": []}])
    assert core_tools_new_enough("4.0.7030") and core_tools_new_enough("4.1.0 (preview)")
    assert not core_tools_new_enough("4.0.5455") and not core_tools_new_enough("")


# --- secrets ---------------------------------------------------------------------------------------------------


def test_settings_are_vault_references_and_no_secret_is_on_a_command_line(dry_run: list[list[str]]) -> None:
    argv = dry_run[_index(dry_run, "az", "functionapp", "config", "appsettings", "set")]
    settings = dict(s.split("=", 1) for s in _flag(argv, "--settings"))
    vault = f"https://{NAMES.vault}.vault.azure.net"
    assert settings["SLACK_SIGNING_SECRET"] == f"@Microsoft.KeyVault(SecretUri={vault}/secrets/slack-signing-secret/)"
    assert settings["SLACK_BOT_TOKEN"] == f"@Microsoft.KeyVault(SecretUri={vault}/secrets/slack-bot-token/)"
    assert settings["INTERACTIONS_PSEUDONYM_KEY"] == f"@Microsoft.KeyVault(SecretUri={vault}/secrets/pseudonym-key/)"
    sets = [a for a in dry_run if a[:4] == ["az", "keyvault", "secret", "set"]]
    assert sorted(_flag(a, "--file")[0] for a in sets) == ["<INTERACTIONS_PSEUDONYM_KEY>", "<SLACK_BOT_TOKEN>",
                                                           "<SLACK_SIGNING_SECRET>"]  # fmt: skip
    vault_create = dry_run[_index(dry_run, "az", "keyvault", "create")]
    assert _flag(vault_create, "--enable-rbac-authorization") == ["true"]
    assert _flag(vault_create, "--enable-purge-protection") == ["true"]
    reader = [a for a in dry_run if "Key Vault Secrets User" in a]
    assert [_flag(a, "--scope") for a in reader] == [["<vault.id>"]]


def test_a_secret_reaches_its_command_as_a_file_removed_afterwards() -> None:
    argv: list[Arg] = ["az", "keyvault", "secret", "set", "--file", Secret("<S>", "the-value")]
    with real(argv) as words:
        path = Path(words[-1])
        assert "the-value" not in " ".join(words)
        assert path.read_text(encoding="utf-8") == "the-value"
        assert path.stat().st_mode & 0o077 == 0
    assert not path.exists()
    assert shown(argv).endswith("--file '<S>'")


def test_a_second_deploy_changes_nothing_but_the_code(capsys: pytest.CaptureFixture[str]) -> None:
    subscription = Subscription()
    assert _deploy(subscription) == 0
    assert subscription.changes() == []
    assert subscription.secrets_passed() == []
    assert "func azure functionapp publish demo-func --python" in subscription.lines()
    said = capsys.readouterr().err
    for path in ("commands", "interactions", "events"):
        assert f"https://demo-func-a1b2.westeurope-01.azurewebsites.net/api/slack/{path}" in said


def test_new_slack_values_rotate_the_secrets_and_the_pseudonym_key_stays() -> None:
    subscription = Subscription()
    env = {**SECRET_ENV, "SLACK_SIGNING_SECRET": "a-new-signing-secret"}
    assert _deploy(subscription, env=env) == 0
    (rotated,) = subscription.secrets_passed()
    assert rotated.value == "a-new-signing-secret"
    assert [line for line in subscription.changes() if "keyvault" in line] == [
        f"az keyvault secret set --vault-name {NAMES.vault} --name slack-signing-secret --file "
        "'<SLACK_SIGNING_SECRET>' --encoding utf-8 --query id -o none"
    ]
    assert "az functionapp restart -g demo-rg -n demo-func -o none" in subscription.lines()


NO_KEY: dict[str, object] = {"az keyvault secret list": ["slack-signing-secret", "slack-bot-token"]}


def test_the_pseudonym_key_is_made_once_when_neither_the_vault_nor_an_app_has_one() -> None:
    subscription = Subscription({**NO_KEY, "az functionapp list": []})
    assert _deploy(subscription) == 0
    (key,) = subscription.secrets_passed()
    assert key.shown == "<INTERACTIONS_PSEUDONYM_KEY>" and len(key.value) == 64


def test_an_app_reading_a_key_the_vault_lost_stops_the_deploy_and_no_new_key_is_made(
    capsys: pytest.CaptureFixture[str],
) -> None:
    subscription = Subscription(NO_KEY)
    assert _deploy(subscription) == 1
    assert subscription.secrets_passed() == []
    assert not any(line.startswith(("func azure", "az functionapp restart")) for line in subscription.lines())
    err = capsys.readouterr().err
    assert f"az keyvault secret restore --vault-name {NAMES.vault} --file pseudonym-key.backup" in err
    assert "PSEUDONYM_KEY_FILE" in err


def test_a_key_from_a_file_goes_into_the_vault_before_the_app_exists_and_never_onto_a_command_line(
    tmp_path: Path,
) -> None:
    key_file = tmp_path / "pseudonym-key"
    key_file.write_text("the-key-of-the-linux-consumption-app\n", encoding="utf-8")
    subscription = Subscription({**NO_KEY, "az functionapp list": []})
    assert _deploy(subscription, "--pseudonym-key-file", str(key_file)) == 0
    (key,) = subscription.secrets_passed()
    assert key.value == "the-key-of-the-linux-consumption-app"
    lines = subscription.lines()
    assert not any("the-key-of-the-linux-consumption-app" in line for line in lines)
    stored = next(i for i, line in enumerate(lines) if "--name pseudonym-key" in line and " set " in line)
    assert stored < next(i for i, line in enumerate(lines) if "Microsoft.Web/sites" in line and " create " in line)


def test_a_key_from_a_file_replaces_a_different_one_and_the_app_restarts(tmp_path: Path) -> None:
    key_file = tmp_path / "pseudonym-key"
    key_file.write_text("the-restored-key", encoding="utf-8")
    show = f"az keyvault secret show --vault-name {NAMES.vault} --name pseudonym-key"
    subscription = Subscription({show: "a-key-made-by-mistake"})
    assert _deploy(subscription, "--pseudonym-key-file", str(key_file)) == 0
    assert [k.value for k in subscription.secrets_passed()] == ["the-restored-key"]
    assert "az functionapp restart -g demo-rg -n demo-func -o none" in subscription.lines()
    same = Subscription({show: "the-restored-key"})
    assert _deploy(same, "--pseudonym-key-file", str(key_file)) == 0
    assert same.secrets_passed() == [] and not any("restart" in line for line in same.lines())


def test_an_unreadable_key_file_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    subscription = Subscription()
    assert _deploy(subscription, "--pseudonym-key-file", str(tmp_path / "missing")) == 1
    assert subscription.commands == []
    assert "PSEUDONYM_KEY_FILE=" in capsys.readouterr().err


def test_unresolved_references_after_publishing_fail_loudly(capsys: pytest.CaptureFixture[str]) -> None:
    references = ("az rest --method get --url https://management.azure.com/subscriptions/"
                  "00000000-0000-0000-0000-000000000001/resourceGroups/demo-rg/providers/Microsoft.Web/sites/demo-func/"
                  "config/configreferences")  # fmt: skip
    resolved = [{"name": n, "status": "Resolved"} for n in ("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN",
                                                             "INTERACTIONS_PSEUDONYM_KEY")]  # fmt: skip
    denied = [*resolved[:2], {"name": "demo-func/appsettings/INTERACTIONS_PSEUDONYM_KEY",
                              "status": "AccessToKeyVaultDenied"}]  # fmt: skip
    subscription = Subscription({references: turns(resolved, denied)})
    assert _deploy(subscription) == 1
    assert "INTERACTIONS_PSEUDONYM_KEY (AccessToKeyVaultDenied)" in capsys.readouterr().err


# --- limits and concurrency ------------------------------------------------------------------------------------


def test_the_app_has_a_cost_ceiling_and_an_explicit_http_concurrency(dry_run: list[list[str]]) -> None:
    scale = _site(dry_run)["properties"]["functionAppConfig"]["scaleAndConcurrency"]
    assert scale["maximumInstanceCount"] == 10
    assert scale["instanceMemoryMB"] == 2048
    assert scale["alwaysReady"] == [{"name": "http", "instanceCount": 1},
                                    {"name": "function:process_queued_message", "instanceCount": 1}]  # fmt: skip
    assert scale["triggers"] == {"http": {"perInstanceConcurrency": 4}}


@pytest.mark.parametrize(("flag", "value"), [("--max-instances", "0"), ("--max-instances", "1001"),
                                             ("--instance-memory", "1024"), ("--always-ready-http", "11"),
                                             ("--always-ready-worker", "-1")])  # fmt: skip
def test_limits_outside_what_flex_accepts_are_refused(flag: str, value: str) -> None:
    subscription = Subscription()
    assert _deploy(subscription, flag, value) == 1
    assert subscription.commands == []


def test_always_ready_counts_up_to_the_ceiling_are_accepted() -> None:
    assert Config("demo", "westeurope", always_ready_http=3, always_ready_worker=0, max_instances=3).always_ready == {
        "http": 3, "function:process_queued_message": 0}  # fmt: skip


@pytest.mark.parametrize(("yes", "skips"), [("1", True), ("0", False), ("yes", False), ("", False)])
def test_only_yes_1_skips_the_subscriptions_question(yes: str, skips: bool) -> None:
    for target in (["deploy", "NAME=demo", "LOCATION=westeurope"], ["destroy", "NAME=demo"]):
        printed = subprocess.run([MAKE, "-n", *target, f"YES={yes}"], capture_output=True, text=True, check=True,
                                 cwd=ROOT).stdout  # fmt: skip
        assert ("--yes" in printed) is skips, (target, yes)


def test_a_second_deploy_with_other_limits_applies_them() -> None:
    subscription = Subscription()
    assert _deploy(subscription, "--max-instances", "3", "--always-ready-worker", "0") == 0
    base = "az functionapp scale config"
    assert subscription.changes() == [
        f"{base} set -g demo-rg -n demo-func --maximum-instance-count 3 -o none",
        f"{base} always-ready set -g demo-rg -n demo-func --settings http=1 function:process_queued_message=0 -o none",
    ]


def test_a_deploy_of_the_old_worker_name_moves_its_always_ready_instance_to_the_new_one() -> None:
    scale: dict[str, object] = {
        "alwaysReady": [{"name": "http", "instanceCount": 1}, {"name": "function:process_command", "instanceCount": 1}],
        "instanceMemoryMB": 2048,
        "maximumInstanceCount": 10,
        "http": 4,
    }
    subscription = Subscription({"az functionapp scale config show": scale})
    assert _deploy(subscription) == 0
    base = "az functionapp scale config always-ready"
    assert subscription.changes() == [
        f"{base} delete -g demo-rg -n demo-func --setting-names function:process_command -o none",
        f"{base} set -g demo-rg -n demo-func --settings http=1 function:process_queued_message=1 -o none",
    ]


# --- hardening -------------------------------------------------------------------------------------------------


def test_basic_publishing_credentials_and_ftp_are_off_and_tls_is_12(dry_run: list[list[str]]) -> None:
    policies = [
        a for a in dry_run if a[:3] == ["az", "resource", "update"] and "basicPublishingCredentialsPolicies" in a
    ]
    assert sorted(_flag(a, "-n")[0] for a in policies) == ["ftp", "scm"]
    assert all(_flag(a, "--set") == ["properties.allow=false"] for a in policies)
    assert _site_create(dry_run) < dry_run.index(policies[0]) < _index(dry_run, "func", "azure")


# --- watching itself -------------------------------------------------------------------------------------------


def test_four_alert_rules_each_its_own_command_mailed_to_the_alert_email(dry_run: list[list[str]]) -> None:
    group = dry_run[_index(dry_run, "az", "monitor", "action-group", "create")]
    assert _flag(group, "--action") == ["email", "admin", "ops@example.com"]
    metric = dry_run[_index(dry_run, "az", "monitor", "metrics", "alert", "create")]
    assert _flag(metric, "--condition") == ["count 'requests/failed' > 0"]
    assert _flag(metric, "--window-size") == ["5m"] and _flag(metric, "--action") == ["<actionGroup.id>"]
    rules = [json.loads(_flag(a, "--properties")[0]) for a in dry_run
             if "Microsoft.Insights/scheduledQueryRules" in a]  # fmt: skip
    queries = [r["properties"]["criteria"]["allOf"][0]["query"] for r in rules]
    assert any("percentile(duration, 95)" in q and "p95 > 1500" in q for q in queries)
    assert all(r["properties"]["actions"]["actionGroups"] == ["<actionGroup.id>"] for r in rules)


def test_every_message_reaching_the_poison_queue_fires_an_alert(dry_run: list[list[str]]) -> None:
    rules = {_flag(a, "-n")[0]: json.loads(_flag(a, "--properties")[0])["properties"] for a in dry_run
             if "Microsoft.Insights/scheduledQueryRules" in a}  # fmt: skip
    # The poison queue is drained within seconds by the function reporting each message: its invocations
    # are counted, not the queue's depth, which a 5-minute sample would almost always see at 0.
    poison = rules["demo-func-poison-messages"]
    condition = poison["criteria"]["allOf"][0]
    assert condition["query"] == 'requests | where name == "report_failed_message"'
    assert (condition["operator"], condition["threshold"]) == ("GreaterThan", 0)
    assert '@app.function_name("report_failed_message")' in (ROOT / "function_app.py").read_text(encoding="utf-8")
    unreported = rules["demo-func-unreported-messages"]["criteria"]["allOf"][0]["query"]
    assert 'startswith "poison queue depth: slack-commands-poison-poison="' in unreported
    assert "where depth > 0" in unreported


def test_a_poison_rule_of_an_earlier_deploy_counting_the_depth_is_replaced() -> None:
    old = 'traces | where message startswith "poison queue depth" | where depth > 0'
    subscription = Subscription({"az resource show -g demo-rg -n demo-func-poison-messages ": old})
    assert _deploy(subscription) == 0
    replaced = [line for line in subscription.changes() if "scheduledQueryRules" in line]
    assert len(replaced) == 1 and "demo-func-poison-messages" in replaced[0]
    assert "report_failed_message" in replaced[0]


def test_without_alert_email_the_rules_exist_with_no_action() -> None:
    plain = _dry()
    assert not any(a[:3] == ["az", "monitor", "action-group"] for a in plain)
    assert "--action" not in plain[_index(plain, "az", "monitor", "metrics", "alert", "create")]


def test_host_json_keeps_requests_and_never_samples_away_failures() -> None:
    host = json.loads((ROOT / "host.json").read_text(encoding="utf-8"))
    assert host["logging"]["logLevel"].get("Host.Results", "Information") in ("Information", "Trace", "Debug")
    sampling = host["logging"]["applicationInsights"]["samplingSettings"]
    # Requests (failures, the ack's duration, the poison function) and traces (the depth lines) are what the
    # alerts count: none may be sampled away.
    assert {"Request", "Exception", "Trace"} <= set(sampling["excludedTypes"].split(";"))


# --- waits -----------------------------------------------------------------------------------------------------


def test_publishing_waits_until_the_identity_reaches_the_vault_and_storage(
    capsys: pytest.CaptureFixture[str],
) -> None:
    host = ("az rest --method get --url https://management.azure.com/subscriptions/00000000-0000-0000-0000-"
            "000000000001/resourceGroups/demo-rg/providers/Microsoft.Web/sites/demo-func/host")  # fmt: skip
    subscription = Subscription({host: turns("Error", "Error", "Running"), "az keyvault secret list": turns(
        FAILS, ["slack-signing-secret", "slack-bot-token", "pseudonym-key"])})  # fmt: skip
    assert _deploy(subscription) == 0
    assert subscription.pauses == 3
    err = capsys.readouterr().err
    assert "waiting for your access to the vault: 10 s" in err
    assert "waiting for the app's host to reach its storage: 20 s" in err
    lines = subscription.lines()
    publish = lines.index("func azure functionapp publish demo-func --python")
    assert max(i for i, line in enumerate(lines) if "/host/default/properties/status" in line) < publish


def test_a_host_without_a_status_is_not_waited_on(capsys: pytest.CaptureFixture[str]) -> None:
    host = (f"az rest --method get --url https://management.azure.com/subscriptions/{SUBSCRIPTION}/resourceGroups/"
            "demo-rg/providers/Microsoft.Web/sites/demo-func/host")  # fmt: skip
    subscription = Subscription({host: ""})
    assert _deploy(subscription) == 0
    assert subscription.pauses == 0
    assert "reports no status yet (no code); publishing, and retrying" in capsys.readouterr().err


PUBLISH = "func azure functionapp publish demo-func --python"


def test_a_refused_package_upload_is_tried_again_until_the_storage_role_takes_effect(
    capsys: pytest.CaptureFixture[str],
) -> None:
    host = (f"az rest --method get --url https://management.azure.com/subscriptions/{SUBSCRIPTION}/resourceGroups/"
            "demo-rg/providers/Microsoft.Web/sites/demo-func/host")  # fmt: skip
    subscription = Subscription({host: "", "func azure": turns(REFUSED, REFUSED, "")})
    assert _deploy(subscription) == 0
    assert subscription.lines().count(PUBLISH) == 3
    assert subscription.pauses == 2
    assert "waiting for the app's identity to accept the package: 20 s" in capsys.readouterr().err


def test_a_refused_upload_is_retried_a_bounded_number_of_times_and_other_failures_not_at_all(
    capsys: pytest.CaptureFixture[str],
) -> None:
    refused = Subscription({"func azure": REFUSED})
    assert _deploy(refused) == 1
    assert refused.lines().count(PUBLISH) == WAIT_ATTEMPTS
    assert "run the same make deploy again" in capsys.readouterr().err
    broken = Subscription({"func azure": FAILS})
    assert _deploy(broken) == 1
    assert broken.lines().count(PUBLISH) == 1 and broken.pauses == 0
    assert "Syntax error in function_app.py" in capsys.readouterr().err


def test_references_still_unresolved_halfway_through_the_wait_get_one_restart() -> None:
    references = (f"az rest --method get --url https://management.azure.com/subscriptions/{SUBSCRIPTION}/"
                  "resourceGroups/demo-rg/providers/Microsoft.Web/sites/demo-func/config/configreferences")  # fmt: skip
    names = ("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "INTERACTIONS_PSEUDONYM_KEY")
    unresolved = [{"name": n, "status": "AccessToKeyVaultDenied"} for n in names]
    resolved = [{"name": n, "status": "Resolved"} for n in names]
    subscription = Subscription({references: turns(*[unresolved] * (WAIT_ATTEMPTS // 2 + 5), resolved)})
    assert _deploy(subscription) == 0
    lines = subscription.lines()
    restarts = [i for i, line in enumerate(lines) if line.startswith("az functionapp restart")]
    assert len(restarts) == 1
    reads = [i for i, line in enumerate(lines) if "/config/configreferences/" in line]
    assert reads[WAIT_ATTEMPTS // 2 - 1] < restarts[0] < reads[WAIT_ATTEMPTS // 2] < lines.index(PUBLISH)


def test_the_wait_is_bounded_and_says_what_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    subscription = Subscription({"az keyvault secret list": FAILS})
    assert _deploy(subscription) == 1
    assert subscription.pauses == WAIT_ATTEMPTS
    assert "run the same make deploy again" in capsys.readouterr().err
    assert not any(line.startswith("func azure") for line in subscription.lines())


# --- migration -------------------------------------------------------------------------------------------------


def test_an_app_of_an_earlier_deploy_keeps_its_storage_and_its_pseudonym_key() -> None:
    settings = {k: v for k, v in deployed_settings().items() if not k.startswith("AzureWebJobsStorage__")}
    settings |= {"SLACK_SIGNING_SECRET": FAKE_SIGNING_SECRET, "INTERACTIONS_PSEUDONYM_KEY": "the-old-key",
                 "AzureWebJobsStorage": "DefaultEndpointsProtocol=https;AccountName=oldaccount;AccountKey=abc==",
                 "MY_OTHER_CONNECTION": "AccountName=x;AccountKey=def=="}  # fmt: skip
    subscription = Subscription({
        "az functionapp config appsettings list": [{"name": k, "value": v} for k, v in settings.items()],
        "az keyvault secret list": ["slack-signing-secret", "slack-bot-token"],
        "az storage account show": {"id": "/s/oldaccount", "sharedKey": True, "tls": "TLS1_2", "publicBlob": False},
    })  # fmt: skip
    assert _deploy(subscription) == 0
    lines = subscription.lines()
    assert any(line.startswith("az storage account show -g demo-rg -n oldaccount ") for line in lines)
    assert not any("storage account create" in line for line in lines)
    (key,) = subscription.secrets_passed()
    assert key.value == "the-old-key"
    deletes = [line for line in lines if "appsettings delete" in line]
    assert deletes == ["az functionapp config appsettings delete -g demo-rg -n demo-func --setting-names "
                       "AzureWebJobsStorage -o none"]  # fmt: skip
    keys_off = lines.index("az storage account update -g demo-rg -n oldaccount --allow-shared-key-access false -o none")
    assert lines.index(deletes[0]) < keys_off


def test_an_app_on_linux_consumption_is_found_and_its_storage_named(capsys: pytest.CaptureFixture[str]) -> None:
    settings = {"AzureWebJobsStorage": "DefaultEndpointsProtocol=https;AccountName=oldaccount;AccountKey=abc=="}
    subscription = Subscription({
        "az appservice plan show": "Dynamic",
        "az functionapp config appsettings list": [{"name": k, "value": v} for k, v in settings.items()],
    })  # fmt: skip
    assert _deploy(subscription) == 1
    err = capsys.readouterr().err
    assert "storage account oldaccount" in err and "abc==" not in err
    assert subscription.changes() == []


# --- preview and teardown --------------------------------------------------------------------------------------


def test_plan_reads_only_and_says_what_would_change(capsys: pytest.CaptureFixture[str]) -> None:
    subscription = Subscription({"az functionapp config show": {"ftps": "AllAllowed", "tls": "1.2"}})
    assert main([*ARGS, "--plan"], env=SECRET_ENV, runner=subscription) == 0
    assert subscription.changes() == []
    assert not any(line.startswith("func azure") for line in subscription.lines())
    report = capsys.readouterr().err
    assert "change  functionapp config demo-func" in report
    assert "keep    storage account " + NAMES.storage in report
    assert "keep    keyvault " + NAMES.vault in report
    assert "keep    setting INTERACTIONS_QUEUE" in report


@pytest.mark.parametrize(
    ("read", "said"),
    [
        ("az account show", "not logged in"),
        (PERMISSIONS, "PLAN=1 stopped"),
        ("az functionapp list-flexconsumption-locations", "PLAN=1 stopped"),
        ("func --version", "PLAN=1 stopped"),
    ],
)
def test_plan_stops_on_a_read_that_fails_for_any_reason_but_absence(
    read: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    subscription = Subscription({read: FAILS})
    assert main([*ARGS, "--plan"], env=SECRET_ENV, runner=subscription) == 1
    err = capsys.readouterr().err
    assert said in err and "Plan (nothing was changed)" not in err
    assert subscription.changes() == []


def test_plan_takes_a_missing_resource_as_absent_and_a_read_a_recorded_grant_would_allow_as_made(
    capsys: pytest.CaptureFixture[str],
) -> None:
    caller_roles = "az role assignment list --all --assignee-object-id caller-id"
    subscription = Subscription({"az monitor log-analytics workspace show": NOT_FOUND, caller_roles: [],
                                 "az keyvault secret list": FAILS})  # fmt: skip
    assert main([*ARGS, "--plan"], env=SECRET_ENV, runner=subscription) == 0
    report = capsys.readouterr().err
    assert "create  monitor log-analytics workspace demo-logs" in report
    assert "create  role 'Key Vault Secrets Officer' for caller-id" in report


def test_plan_on_an_empty_subscription_lists_what_it_would_create() -> None:
    empty: dict[str, object] = {"az group show": "", "az group show -n demo-rg --query {location:location}": "",
                                 "az functionapp list": [], "az resource list": []}  # fmt: skip
    subscription = Subscription(empty)
    runner = PreviewRunner(subscription)
    assert main(ARGS, env=SECRET_ENV, runner=runner) == 0
    report = runner.report()
    for expected in ("create  group demo-rg", "create  Microsoft.Web/serverfarms demo-plan",
                     "create  Microsoft.Web/sites demo-func"):  # fmt: skip
        assert expected in report


def test_destroy_asks_then_deletes_the_group_and_says_what_outlives_it() -> None:
    said: list[str] = []
    subscription = Subscription({"az group exists": "true"})
    assert not destroy("demo", subscription, said.append, lambda _: False)
    assert subscription.changes() == []
    assert destroy("demo", subscription, said.append, lambda _: True)
    assert subscription.lines()[-1] == "az group delete -n demo-rg --yes -o none"
    assert "soft delete" in said[-1] and NAMES.vault in said[-1]
