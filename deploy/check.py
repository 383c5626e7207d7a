"""``make check-deploy``: every command the deploy can run, checked twice without an Azure login.

Offline, against what Azure offers (``azure_lists.json``) and what the app reads (``offline.py``): regions,
runtimes, role names, memory sizes and instance counts, resources kept in ``NAME-rg`` and tagged, the app
settings, and the ``func`` line's options. Then by the real, pinned Azure CLI: not logged in, it parses a
command's arguments and stops at "please run 'az login'", which means the command is well formed, while a
parse error names the bad flag or value. The commands are the dry run's (a first deploy) and those of a
re-run on resources that drifted, so that every branch is covered.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from deploy.config import Config, Names
from deploy.offline import problems as offline_problems
from deploy.plan import SlackSecrets, deploy
from deploy.runner import Arg, DryRunner

PARSE_ERRORS = (
    "unrecognized arguments",
    "the following arguments are required",
    "invalid choice",
    "is not a valid value",
    "misspelled or not recognized by the system",
)
PARSED = ("az login",)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str


def classify(returncode: int, stderr: str) -> Verdict:
    """Did the CLI accept the command's arguments? Anything but success or a login prompt is a failure, so
    that an error this list does not know of is not taken for success."""
    errors = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in errors:
        if any(phrase in line for phrase in PARSE_ERRORS):
            return Verdict(False, line)
    if returncode == 0:
        return Verdict(True, "ran")
    if any(phrase in stderr for phrase in PARSED):
        return Verdict(True, "parsed (not logged in)")
    return Verdict(False, errors[0] if errors else f"exit {returncode} with no message")


@dataclass
class _DriftedRunner(DryRunner):
    """Answers as a subscription where everything exists but differs from the plan: a re-run's commands."""

    names: Names = field(default_factory=lambda: Names.of(Config("demo", "westeurope")))

    def _answer(self, argv: Sequence[Arg]) -> str:
        words = " ".join(a for a in argv if isinstance(a, str))
        plan = f"/subscriptions/0/resourceGroups/{self.names.group}/providers/Microsoft.Web/serverfarms/plan"
        answers: dict[str, object] = {
            "az account show": {
                "name": "s",
                "id": "<subscription.id>",
                "user": {"type": "servicePrincipal", "name": "<appId>"},
            },
            "az functionapp list-flexconsumption-locations": ["westeurope"],
            "az functionapp list-flexconsumption-runtimes": ["3.12"],
            "az group show": {"id": "<group.id>", "location": "westeurope", "tags": {}},
            "az rest --method get --url https://management.azure.com/subscriptions/<subscription.id>/resourceGroups"
            f"/{self.names.group}/providers/Microsoft.Authorization": [{"actions": ["*"]}],
            "func --version": "4.0.7030",
            "az ad sp show": "<caller.objectId>",
            "az functionapp list": [{"group": self.names.group, "plan": plan}],
            "az appservice plan show": "FlexConsumption",
            "az keyvault list-deleted": self.names.vault,
            "az storage account show": {"id": "<storage.id>", "sharedKey": None, "tls": "TLS1_0", "publicBlob": True},
            "az identity show": {
                "id": "<identity.id>",
                "principalId": "<identity.principalId>",
                "clientId": "<identity.clientId>",
            },
            "az monitor log-analytics workspace show": "<workspace.id>",
            "az resource show -g": {"id": "<insights.id>", "connectionString": "c", "disableLocalAuth": False},
            "az keyvault show": {"id": "<vault.id>", "uri": "https://v.vault.azure.net/", "rbac": False},
            "az keyvault secret list": ["slack-signing-secret"],
            "az keyvault secret show": "an-older-secret",
            "az functionapp config appsettings list": [
                {"name": "AzureWebJobsStorage", "value": "AccountKey=<key>"},
                {"name": "INTERACTIONS_PSEUDONYM_KEY", "value": "k"},
            ],
            "az functionapp config show": {"ftps": "AllAllowed", "tls": "1.0"},
            "az functionapp scale config show": {"alwaysReady": [], "instanceMemoryMB": 512},
            "az monitor action-group show": "",
            "az monitor action-group create": "<actionGroup.id>",
            "az resource list": [{"id": plan, "name": "p", "type": "Microsoft.Web/serverFarms"}],
            "az rest --method get --url https://management.azure.com/subscriptions/<subscription.id>/resourceGroups"
            f"/{self.names.group}/providers/Microsoft.Web/sites/{self.names.app}/config": [
                {"name": "SLACK_SIGNING_SECRET", "status": "Resolved"},
                {"name": "SLACK_BOT_TOKEN", "status": "Resolved"},
                {"name": "INTERACTIONS_PSEUDONYM_KEY", "status": "Resolved"},
            ],
            "az rest --method get": "Running",
            "az functionapp show": "<defaultHostName>",
        }
        for prefix, answer in answers.items():
            if words.startswith(prefix):
                return answer if isinstance(answer, str) else json.dumps(answer)
        return "[]" if words.startswith("az role assignment list") else ""

    def run(self, argv: Sequence[Arg], *, dry_result: str = "") -> str:
        self._print(argv)
        return self._answer(argv)

    def find(self, argv: Sequence[Arg], *, dry_result: str | None = None) -> str | None:
        self._print(argv)
        return self._answer(argv) or None


def commands(name: str, location: str) -> list[str]:
    """The dry run's lines, as ``make deploy DRY_RUN=1`` prints them, then a drifted re-run's others."""
    dry = subprocess.run(
        [sys.executable, "-m", "deploy", "--dry-run", "--name", name, "--location", location,
         "--alert-email", "ops@example.com"],
        capture_output=True,
        text=True,
        check=True,
    )  # fmt: skip
    lines = [line for line in dry.stdout.splitlines() if line.startswith(("az ", "func "))]
    config = Config(name=name, location=location, alert_email="ops@example.com")
    drifted = _DriftedRunner(out=io.StringIO(), names=Names.of(config))
    deploy(config, SlackSecrets("s", "xoxb-t"), drifted, lambda _: None)
    lines += [line for line in drifted.commands if line.startswith(("az ", "func ")) and line not in lines]
    return lines


_local = threading.local()


def _check(az: str, line: str) -> tuple[str, Verdict]:
    if not hasattr(_local, "config_dir"):
        _local.config_dir = tempfile.mkdtemp(prefix="az-check-")
    env = {**os.environ, "AZURE_CONFIG_DIR": _local.config_dir, "AZURE_CORE_COLLECT_TELEMETRY": "false"}
    argv = shlex.split(line)
    # A secret's file exists only while the real command runs: the CLI reads it while parsing.
    for index, word in enumerate(argv[:-1]):
        if word == "--file" and argv[index + 1].startswith("<"):
            argv[index + 1] = os.path.join(_local.config_dir, "placeholder-secret")
            with open(argv[index + 1], "w", encoding="utf-8") as file:
                file.write("placeholder")
    done = subprocess.run(
        [az, *argv[1:]], capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env, check=False, timeout=120
    )
    return line, classify(done.returncode, done.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.check", description=__doc__)
    parser.add_argument("--az", required=True, help="the az binary to check against")
    parser.add_argument("--name", default="demo")
    parser.add_argument("--location", default="westeurope")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--extra", action="append", default=[], help="one more az line to check")
    args = parser.parse_args(argv)

    started = time.monotonic()
    lines = commands(args.name, args.location) + list(args.extra)
    failed = 0
    for problem in offline_problems(lines, args.name):
        failed += 1
        print(f"FAILED  {problem}")
    az_lines = [line for line in lines if line.startswith("az ")]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(lambda line: _check(args.az, line), az_lines))
    for line, verdict in results:
        if verdict.ok:
            print(f"ok      {line}")
        else:
            failed += 1
            print(f"FAILED  {line}\n        {verdict.reason}")
    elapsed = time.monotonic() - started
    print(f"{len(lines)} commands checked offline and {len(results)} by az in {elapsed:.0f} s: {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
