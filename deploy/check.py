"""``make check-deploy``: every ``az`` command the deploy can run, parsed by the real, pinned Azure CLI.

Not logged in, the CLI parses a command's arguments and then stops at "please run 'az login'": that answer
means the command is well formed, while a parse error names the bad flag or value. The commands are the dry
run's (a first deploy) and those of a re-run on resources that drifted, so that every branch is covered.
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
from dataclasses import dataclass

from deploy.plan import Config, Names, SlackSecrets, deploy
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

    app: str = ""

    def _answer(self, argv: Sequence[Arg]) -> str:
        words = " ".join(a for a in argv if isinstance(a, str))
        answers = {
            "az group exists": "true",
            "az storage account show": {"id": "<storage.id>", "sharedKey": None, "tls": "TLS1_0", "publicBlob": True},
            "az identity show": {
                "id": "<identity.id>",
                "principalId": "<identity.principalId>",
                "clientId": "<identity.clientId>",
            },
            "az functionapp list": [{"name": self.app, "httpsOnly": False}],
            "az resource show": {"id": "<appInsights.id>", "disableLocalAuth": False},
            "az functionapp config appsettings list": [{"name": "AzureWebJobsStorage", "value": "AccountKey=<key>"}],
            "az functionapp scale config show": {"alwaysReady": [], "instanceMemoryMB": 512},
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
        return self._answer(argv)


def commands(name: str, location: str) -> list[str]:
    """The dry run's az lines, as ``make deploy DRY_RUN=1`` prints them, then a drifted re-run's others."""
    dry = subprocess.run(
        [sys.executable, "-m", "deploy", "--dry-run", "--name", name, "--location", location],
        capture_output=True,
        text=True,
        check=True,
    )
    lines = [line for line in dry.stdout.splitlines() if line.startswith("az ")]
    config = Config(name=name, location=location)
    drifted = _DriftedRunner(out=io.StringIO(), app=Names.of(config).app)
    deploy(config, SlackSecrets("", ""), drifted, lambda _: None)
    lines += [line for line in drifted.commands if line.startswith("az ") and line not in lines]
    return lines


_local = threading.local()


def _check(az: str, line: str) -> tuple[str, Verdict]:
    if not hasattr(_local, "config_dir"):
        _local.config_dir = tempfile.mkdtemp(prefix="az-check-")
    env = {**os.environ, "AZURE_CONFIG_DIR": _local.config_dir, "AZURE_CORE_COLLECT_TELEMETRY": "false"}
    argv = shlex.split(line)
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
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(lambda line: _check(args.az, line), lines))
    failed = 0
    for line, verdict in results:
        if verdict.ok:
            print(f"ok      {line}")
        else:
            failed += 1
            print(f"FAILED  {line}\n        {verdict.reason}")
    elapsed = time.monotonic() - started
    print(f"{len(results)} az commands checked in {elapsed:.0f} s: {len(results) - failed} ok, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
