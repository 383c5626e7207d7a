"""``python -m deploy --name NAME --location REGION [--dry-run]``: what ``make deploy`` runs."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Mapping, Sequence

from deploy.plan import Config, SlackSecrets, deploy
from deploy.runner import DeployError, DryRunner, Runner, SubprocessRunner


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m deploy", description=__doc__)
    parser.add_argument("--name", required=True, help="prefix of every resource name")
    parser.add_argument("--location", required=True, help="Azure region, e.g. westeurope")
    parser.add_argument("--storage-account", default=None, help="storage account name (default: from NAME)")
    parser.add_argument("--always-ready-http", type=int, default=1)
    parser.add_argument("--always-ready-worker", type=int, default=1)
    parser.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    return parser


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _tools_missing() -> list[str]:
    wanted = {
        "az": "the Azure CLI (az): https://learn.microsoft.com/cli/azure/install-azure-cli",
        "func": "Azure Functions Core Tools v4 (func): https://learn.microsoft.com/azure/azure-functions/functions-run-local",
    }
    return [hint for tool, hint in wanted.items() if shutil.which(tool) is None]


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] = os.environ, runner: Runner | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        config = Config(
            name=args.name,
            location=args.location,
            storage_account=args.storage_account or None,
            always_ready_http=args.always_ready_http,
            always_ready_worker=args.always_ready_worker,
        )
        slack = SlackSecrets.from_env(env, required=not args.dry_run)
        if runner is None:
            if args.dry_run:
                runner = DryRunner()
            else:
                missing = _tools_missing()
                if missing:
                    raise DeployError("install, and put on PATH: " + "; ".join(missing))
                runner = SubprocessRunner()
        urls = deploy(config, slack, runner, _say)
    except DeployError as error:
        _say(f"deploy: {error}")
        return 1
    done = "Dry run: nothing was changed." if runner.dry else "Deployed."
    _say(f"{done} Paste into the Slack app (or into manifest.yml, then reinstall it):")
    for url in urls:
        _say(f"  {url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
