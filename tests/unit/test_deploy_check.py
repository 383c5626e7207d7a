"""``make check-deploy``, offline half: the deploy's own lines pass, and each wrong value an admin could
meet (a region, a runtime, a role name, a size, a count, a resource outside the group or untagged, a setting
nobody reads, a ``func`` option) fails and names its line. And the CLI half tells a parse error from a login
prompt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deploy import lists
from deploy.check import classify, commands
from deploy.config import PLATFORM_SETTINGS, Config, Names, settings_problems, wanted_settings
from deploy.offline import problems
from interactions import settings as app_settings
from interactions import storage_account
from interactions.storage_account import StorageAccount

NAME = "demo"


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return commands(NAME, "westeurope")


def _swap(lines: list[str], old: str, new: str) -> list[str]:
    changed = [line.replace(old, new) for line in lines]
    assert changed != lines, f"no line holds {old!r}"
    return changed


def test_the_deploys_own_commands_pass(lines: list[str]) -> None:
    assert any(line.startswith("func azure functionapp publish") for line in lines)
    assert problems(lines, NAME) == []


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ('"version": "3.12"', '"version": "9.9"', "runtime version 9.9"),
        ("'Storage Blob Data Owner'", "'Storage Blob Data Ownr'", "Storage Blob Data Ownr"),
        ('"kind": "functionapp,linux", "location": "westeurope"', '"kind": "functionapp,linux", "location": "mars"',
         "mars"),
        ("-l westeurope", "-l mars", "-l mars"),
        ('"instanceMemoryMB": 2048', '"instanceMemoryMB": 1024', "instanceMemoryMB 1024"),
        ('"maximumInstanceCount": 10', '"maximumInstanceCount": 1001', "maximumInstanceCount 1001"),
        ('"perInstanceConcurrency": 4', '"perInstanceConcurrency": 0', "perInstanceConcurrency 0"),
        ("perInstanceConcurrency=4", "perInstanceConcurrency=0", "perInstanceConcurrency=0"),
        ('"instanceCount": 1, "name": "function', '"instanceCount": -1, "name": "function', "always-ready"),
        ('"instanceCount": 1, "name": "http"', '"instanceCount": 11, "name": "http"', "always-ready http=11"),
        ("function:process_queued_message=1", "function:process_queued_message=-1", "always-ready"),
        ("function:process_queued_message=1", "function:process_queued_message=11", "maximum instance count (10)"),
        ("az identity create -g demo-rg", "az identity create -g shared-rg", "-g shared-rg"),
        ("--tags app=interactions", "--tags team=x", "without the tags"),
        ("func azure functionapp publish demo-func --python", "func azure functionapp publish demo-func --pyhton",
         "--pyhton"),
        ("INTERACTIONS_QUEUE=", "INTERACTIONS_QUEUES=", "INTERACTIONS_QUEUES is written but nothing reads it"),
    ],
)  # fmt: skip
def test_each_wrong_value_fails_and_is_named(lines: list[str], old: str, new: str, named: str) -> None:
    found = problems(_swap(lines, old, new), NAME)
    assert any(named in problem for problem in found), found


def test_every_list_says_it_was_compiled_and_how_to_refresh_it_and_a_wrong_value_says_so_too(
    lines: list[str],
) -> None:
    raw = json.loads((Path(lists.__file__).with_name("azure_lists.json")).read_text(encoding="utf-8"))
    for key, entry in raw.items():
        assert set(entry) == {"compiled", "compiled_from", "refresh", "values"}, key
        assert "not read from" in entry["compiled_from"], key
        assert entry["refresh"].startswith(("az ", "func ")) or entry["refresh"].startswith("no az command"), key
    found = problems(_swap(lines, "-l westeurope", "-l mars"), NAME)
    refresh = "refresh with: az functionapp list-flexconsumption-locations --query '[].name' -o json"
    assert any("list compiled 2026-12-05, not read from Azure" in p and refresh in p for p in found), found


def test_a_scope_outside_the_group_fails(lines: list[str]) -> None:
    outside = "/subscriptions/s/resourceGroups/other-rg/providers/Microsoft.Storage/storageAccounts/x"
    assert any("outside demo-rg" in p for p in problems(_swap(lines, "'<storage.id>'", outside), NAME))


def test_the_settings_written_are_the_settings_the_app_reads() -> None:
    assert settings_problems(set(app_settings.SETTING_NAMES) - {app_settings.SIGNING_SECRET}) == [
        "setting AzureWebJobsStorage__accountName is read by the app but not written",
        "setting AzureWebJobsStorage__clientId is read by the app but not written",
        "setting AzureWebJobsStorage__credential is read by the app but not written",
        f"setting {app_settings.SIGNING_SECRET} is read by the app but not written",
    ]


def test_the_storage_settings_written_are_read_by_the_app_as_a_keyless_connection_with_the_identity() -> None:
    written = wanted_settings(Names.of(Config(NAME, "westeurope")), "https://v.vault.azure.net/", "client-id", "c")
    storage = {k: v for k, v in written.items() if k in storage_account.SETTING_NAMES}
    assert set(written) - set(storage) <= set(app_settings.SETTING_NAMES) | set(PLATFORM_SETTINGS)
    account = StorageAccount.from_settings(storage)
    assert account.keyless and account.managed_identity and account.client_id == "client-id"
    assert account.table_service_uri == f"https://{Names.of(Config(NAME, 'westeurope')).storage}.table.core.windows.net"
    assert written[app_settings.TABLE] == app_settings.DEFAULT_TABLE


def test_a_connection_string_written_by_the_deploy_fails_the_check() -> None:
    written = set(wanted_settings(Names.of(Config(NAME, "westeurope")), "https://v/", "c", "i"))
    assert settings_problems(written) == []
    assert any("with a key" in p for p in settings_problems(written | {storage_account.CONNECTION}))


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
