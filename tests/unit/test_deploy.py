"""The deploy: what a first deploy runs (its dry run), that a second changes nothing but the code, that no
secret or account key is ever printed, and that check-deploy tells a parse error from a login prompt."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from deploy.__main__ import main
from deploy.check import classify
from deploy.plan import Config, Names, default_storage_account
from deploy.runner import Arg, DeployError, Secret, shown

ROOT = Path(__file__).resolve().parents[2]
FAKE_SIGNING_SECRET = "fake-signing-secret-8c1f"
FAKE_BOT_TOKEN = "xoxb-fake-bot-token-77aa"
SECRET_ENV = {"SLACK_SIGNING_SECRET": FAKE_SIGNING_SECRET, "SLACK_BOT_TOKEN": FAKE_BOT_TOKEN}


@pytest.fixture(scope="module")
def dry_run() -> list[list[str]]:
    done = subprocess.run(
        [sys.executable, "-m", "deploy", "--dry-run", "--name", "demo", "--location", "westeurope"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, **SECRET_ENV},
    )
    assert FAKE_SIGNING_SECRET not in done.stdout + done.stderr
    assert FAKE_BOT_TOKEN not in done.stdout + done.stderr
    assert "AccountKey" not in done.stdout + done.stderr
    return [shlex.split(line) for line in done.stdout.splitlines()]


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


def test_every_line_is_an_az_or_func_command(dry_run: list[list[str]]) -> None:
    assert dry_run
    assert {argv[0] for argv in dry_run} == {"az", "func"}


def test_the_app_is_created_on_flex_consumption_with_python_312_2048_mb_and_always_ready(
    dry_run: list[list[str]],
) -> None:
    create = dry_run[_index(dry_run, "az", "functionapp", "create")]
    assert _flag(create, "--flexconsumption-location") == ["westeurope"]
    assert _flag(create, "--runtime") == ["python"]
    assert _flag(create, "--runtime-version") == ["3.12"]
    assert _flag(create, "--instance-memory") == ["2048"]
    assert _flag(create, "--always-ready-instances") == ["http=1", "function:process_command=1"]
    assert _flag(create, "--deployment-storage-auth-type") == ["UserAssignedIdentity"]
    assert _flag(create, "--deployment-storage-auth-value") == ["<identity.id>"]
    assert _flag(create, "--https-only") == ["true"]
    assert not any("--consumption-plan-location" in argv for argv in dry_run)


def test_the_identity_gets_the_three_storage_roles_on_the_account(dry_run: list[list[str]]) -> None:
    dry_run[_index(dry_run, "az", "identity", "create")]
    grants = [argv for argv in dry_run if argv[:4] == ["az", "role", "assignment", "create"]]
    storage_roles = {_flag(argv, "--role")[0] for argv in grants if _flag(argv, "--scope") == ["<storage.id>"]}
    assert storage_roles == {
        "Storage Blob Data Owner",
        "Storage Queue Data Contributor",
        "Storage Table Data Contributor",
    }
    assert all(_flag(argv, "--assignee-object-id") == ["<identity.principalId>"] for argv in grants)


def test_shared_keys_go_off_only_after_the_key_setting_is_gone(dry_run: list[list[str]]) -> None:
    settings = _index(dry_run, "az", "functionapp", "config", "appsettings", "set")
    delete = _index(dry_run, "az", "functionapp", "config", "appsettings", "delete")
    keys_off = next(i for i, argv in enumerate(dry_run) if "--allow-shared-key-access" in argv)
    assert "AzureWebJobsStorage" in _flag(dry_run[delete], "--setting-names")
    assert _flag(dry_run[keys_off], "--allow-shared-key-access") == ["false"]
    assert settings < delete < keys_off


def test_the_settings_are_keyless_and_the_secrets_are_placeholders(dry_run: list[list[str]]) -> None:
    argv = dry_run[_index(dry_run, "az", "functionapp", "config", "appsettings", "set")]
    settings = dict(s.split("=", 1) for s in _flag(argv, "--settings"))
    assert settings == {
        "SLACK_SIGNING_SECRET": "<SLACK_SIGNING_SECRET>",
        "SLACK_BOT_TOKEN": "<SLACK_BOT_TOKEN>",
        "INTERACTIONS_PSEUDONYM_KEY": "<INTERACTIONS_PSEUDONYM_KEY>",
        "INTERACTIONS_QUEUE": "slack-commands",
        "INTERACTIONS_TABLE": "interactions",
        "AzureWebJobsStorage__accountName": Names.of(Config("demo", "westeurope")).storage,
        "AzureWebJobsStorage__credential": "managedidentity",
        "AzureWebJobsStorage__clientId": "<identity.clientId>",
        "APPLICATIONINSIGHTS_AUTHENTICATION_STRING": "ClientId=<identity.clientId>;Authorization=AAD",
    }


def test_app_insights_is_reached_with_the_identity_only(dry_run: list[list[str]]) -> None:
    grants = [argv for argv in dry_run if argv[:4] == ["az", "role", "assignment", "create"]]
    assert any(_flag(g, "--role") == ["Monitoring Metrics Publisher"] for g in grants)
    update = dry_run[_index(dry_run, "az", "resource", "update")]
    assert _flag(update, "--set") == ["properties.DisableLocalAuth=true"]


def test_the_code_is_published_and_the_host_name_read_back(dry_run: list[list[str]]) -> None:
    publish = _index(dry_run, "func", "azure", "functionapp", "publish")
    assert dry_run[publish] == ["func", "azure", "functionapp", "publish", "demo-func", "--python"]
    show = dry_run[_index(dry_run, "az", "functionapp", "show")]
    assert "defaultHostName" in _flag(show, "--query")[0]
    assert publish < dry_run.index(show)


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
    with pytest.raises(DeployError):
        Config("Demo_1", "westeurope")


@dataclass
class ExistingSubscription:
    """A subscription where a previous deploy already did everything: answers as ``az`` would."""

    pseudonym_key: str = "existing-pseudonym-key"
    signing_secret: str = FAKE_SIGNING_SECRET
    dry: bool = False
    commands: list[list[Arg]] = field(default_factory=list)

    def _answer(self, argv: Sequence[Arg]) -> str:
        words = " ".join(a for a in argv if isinstance(a, str))
        storage_id = "/subscriptions/s/resourceGroups/demo-rg/providers/Microsoft.Storage/storageAccounts/st"
        insights_id = "/subscriptions/s/resourceGroups/demo-rg/providers/microsoft.insights/components/demo-func"
        settings = {
            "SLACK_SIGNING_SECRET": self.signing_secret,
            "SLACK_BOT_TOKEN": FAKE_BOT_TOKEN,
            "INTERACTIONS_PSEUDONYM_KEY": self.pseudonym_key,
            "INTERACTIONS_QUEUE": "slack-commands",
            "INTERACTIONS_TABLE": "interactions",
            "AzureWebJobsStorage__accountName": Names.of(Config("demo", "westeurope")).storage,
            "AzureWebJobsStorage__credential": "managedidentity",
            "AzureWebJobsStorage__clientId": "client-id",
            "APPLICATIONINSIGHTS_AUTHENTICATION_STRING": "ClientId=client-id;Authorization=AAD",
        }
        roles = [("Storage Blob Data Owner", storage_id), ("Storage Queue Data Contributor", storage_id)]
        roles += [("Storage Table Data Contributor", storage_id), ("Monitoring Metrics Publisher", insights_id)]
        answers: dict[str, object] = {
            "az account show": "s",
            "az group exists": "true",
            "az storage account show": {"id": storage_id, "sharedKey": False, "tls": "TLS1_2", "publicBlob": False},
            "az identity show": {"id": "/identity", "principalId": "principal-id", "clientId": "client-id"},
            "az functionapp list": [{"name": "demo-func", "httpsOnly": True}],
            "az resource show": {"id": insights_id, "disableLocalAuth": True},
            "az role assignment list": [{"role": r, "scope": s.upper()} for r, s in roles],
            "az functionapp config appsettings list": [{"name": k, "value": v} for k, v in settings.items()],
            "az functionapp scale config show": {
                "alwaysReady": [
                    {"name": "http", "instanceCount": 1},
                    {"name": "function:process_command", "instanceCount": 1},
                ],
                "instanceMemoryMB": 2048,
            },
            "az functionapp deployment config show": {"type": "UserAssignedIdentity", "identity": "/IDENTITY"},
            "az functionapp show": "demo-func-a1b2.westeurope-01.azurewebsites.net",
        }
        for prefix, answer in answers.items():
            if words.startswith(prefix):
                return answer if isinstance(answer, str) else json.dumps(answer)
        return ""

    def run(self, argv: Sequence[Arg], *, dry_result: str = "") -> str:
        self.commands.append(list(argv))
        return self._answer(argv)

    def find(self, argv: Sequence[Arg], *, dry_result: str | None = None) -> str | None:
        return self.run(argv)

    def publish(self, argv: Sequence[Arg]) -> None:
        self.commands.append(list(argv))

    def lines(self) -> list[str]:
        return [shown(argv) for argv in self.commands]


CHANGES = (" create ", " set ", " delete ", " update ", "always-ready set")


def test_a_second_deploy_changes_nothing_but_the_code(capsys: pytest.CaptureFixture[str]) -> None:
    subscription = ExistingSubscription()
    assert main(["--name", "demo", "--location", "westeurope"], env=SECRET_ENV, runner=subscription) == 0
    changes = [line for line in subscription.lines() if any(word in f"{line} " for word in CHANGES)]
    assert changes == []
    assert not any("INTERACTIONS_PSEUDONYM_KEY" in line for line in subscription.lines())
    assert "func azure functionapp publish demo-func --python" in subscription.lines()
    said = capsys.readouterr().err
    for path in ("commands", "interactions", "events"):
        assert f"https://demo-func-a1b2.westeurope-01.azurewebsites.net/api/slack/{path}" in said


def test_a_second_deploy_keeps_the_pseudonym_key_and_applies_a_new_slack_secret() -> None:
    subscription = ExistingSubscription(signing_secret="the-old-secret")
    assert main(["--name", "demo", "--location", "westeurope"], env=SECRET_ENV, runner=subscription) == 0
    (settings,) = [
        argv for argv in subscription.commands if argv[:5] == ["az", "functionapp", "config", "appsettings", "set"]
    ]
    assert shown(settings).endswith("--settings 'SLACK_SIGNING_SECRET=<SLACK_SIGNING_SECRET>' -o none")
    assert not any("INTERACTIONS_PSEUDONYM_KEY" in line for line in subscription.lines())


def test_a_second_deploy_with_other_always_ready_counts_applies_them() -> None:
    subscription = ExistingSubscription()
    args = ["--name", "demo", "--location", "westeurope", "--always-ready-http", "2", "--always-ready-worker", "0"]
    assert main(args, env=SECRET_ENV, runner=subscription) == 0
    always_ready = "az functionapp scale config always-ready set -g demo-rg -n demo-func --settings"
    assert f"{always_ready} http=2 function:process_command=0 -o none" in subscription.lines()


def test_a_pseudonym_key_lost_from_the_settings_is_made_anew_and_never_printed() -> None:
    subscription = ExistingSubscription(pseudonym_key="")
    assert main(["--name", "demo", "--location", "westeurope"], env=SECRET_ENV, runner=subscription) == 0
    (settings,) = [
        argv for argv in subscription.commands if argv[:5] == ["az", "functionapp", "config", "appsettings", "set"]
    ]
    assert shown(settings).endswith("--settings 'INTERACTIONS_PSEUDONYM_KEY=<INTERACTIONS_PSEUDONYM_KEY>' -o none")
    (key,) = [a for a in settings if isinstance(a, Secret)]
    assert len(key.value.removeprefix("INTERACTIONS_PSEUDONYM_KEY=")) == 64


@pytest.mark.parametrize("missing", ["SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN"])
def test_a_real_deploy_without_the_slack_secrets_stops_before_any_az_call(
    missing: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_commands(*args: object, **kwargs: object) -> None:
        raise AssertionError("no command may run")

    monkeypatch.setattr(subprocess, "run", no_commands)
    env = {k: v for k, v in SECRET_ENV.items() if k != missing}
    assert main(["--name", "demo", "--location", "westeurope"], env=env) == 1
    assert missing in capsys.readouterr().err


@pytest.mark.parametrize(
    ("returncode", "stderr", "ok"),
    [
        (1, "ERROR: Please run 'az login' to setup account.\n", True),
        (0, "", True),
        (2, "ERROR: unrecognized arguments: --instance-memry 2048\n", False),
        (2, "ERROR: the following arguments are required: --name/-n\n", False),
        (2, "ERROR: az functionapp create: 'Linuxx' is not a valid value for '--os-type'.\n", False),
        (2, "ERROR: 'creat' is misspelled or not recognized by the system.\n", False),
        (2, "az: error: argument --sku: invalid choice: 'X'\n", False),
        (1, "ERROR: usage error: --plan NAME_OR_ID | --flexconsumption-location LOCATION\n", False),
        (1, "", False),
    ],
)
def test_check_deploy_tells_a_parse_error_from_a_login_prompt(returncode: int, stderr: str, ok: bool) -> None:
    assert classify(returncode, stderr).ok is ok
