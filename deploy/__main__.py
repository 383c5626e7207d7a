"""``python -m deploy --name NAME --location REGION [--dry-run | --plan]``: what ``make deploy`` runs."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Callable, Mapping, Sequence

from deploy.config import DEFAULT_INSTANCE_MEMORY, DEFAULT_MAX_INSTANCES, DEFAULT_TAGS, Config, parse_tags
from deploy.plan import SlackSecrets, deploy, read_pseudonym_key
from deploy.preview import PreviewRunner
from deploy.runner import DeployError, DryRunner, Runner, SubprocessRunner


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m deploy", description=__doc__)
    parser.add_argument("--name", required=True, help="prefix of every resource name")
    parser.add_argument("--location", required=True, help="Azure region, e.g. westeurope")
    parser.add_argument("--storage-account", default=None, help="storage account name (default: from NAME)")
    parser.add_argument("--always-ready-http", type=int, default=1)
    parser.add_argument("--always-ready-worker", type=int, default=1)
    parser.add_argument("--instance-memory", type=int, default=DEFAULT_INSTANCE_MEMORY)
    parser.add_argument("--max-instances", type=int, default=DEFAULT_MAX_INSTANCES)
    parser.add_argument("--tags", default=DEFAULT_TAGS, help="key=value pairs, space-separated")
    parser.add_argument("--alert-email", default=None, help="where the alerts are mailed (default: nowhere)")
    parser.add_argument(
        "--pseudonym-key-file",
        default=None,
        help="a file holding an existing pseudonym key, stored in the vault (migration, restore)",
    )
    parser.add_argument("--yes", action="store_true", help="do not ask to confirm the subscription")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true", help="print a first deploy's commands, run nothing")
    mode.add_argument("--plan", action="store_true", help="read the current state, say what would change")
    return parser


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ask_terminal(question: str) -> bool:
    """A yes from the terminal; no terminal (a script without YES=1) is a no."""
    if not sys.stdin.isatty():
        _say(question + "(no terminal to answer: set YES=1 to deploy without asking)")
        return False
    return input(question).strip().lower() in ("y", "yes")


TOOLS = {
    "az": "the Azure CLI (az): https://learn.microsoft.com/cli/azure/install-azure-cli",
    "func": "Azure Functions Core Tools v4 (func): https://learn.microsoft.com/azure/azure-functions/functions-run-local",
}


def real_runner(tools: Sequence[str] = ("az", "func")) -> SubprocessRunner:
    missing = [TOOLS[tool] for tool in tools if shutil.which(tool) is None]
    if missing:
        raise DeployError("install, and put on PATH: " + "; ".join(missing))
    return SubprocessRunner()


def main(
    argv: Sequence[str] | None = None,
    env: Mapping[str, str] = os.environ,
    runner: Runner | None = None,
    ask: Callable[[str], bool] = ask_terminal,
) -> int:
    args = _parser().parse_args(argv)
    try:
        config = Config(
            name=args.name,
            location=args.location,
            storage_account=args.storage_account or None,
            always_ready_http=args.always_ready_http,
            always_ready_worker=args.always_ready_worker,
            instance_memory=args.instance_memory,
            max_instances=args.max_instances,
            tags=parse_tags(args.tags),
            alert_email=args.alert_email or None,
        )
        slack = SlackSecrets.from_env(env, required=not args.dry_run)
        if runner is None:
            runner = DryRunner() if args.dry_run else real_runner()
        if args.plan:
            runner = PreviewRunner(runner)
        key = read_pseudonym_key(args.pseudonym_key_file) if args.pseudonym_key_file else None
        urls = deploy(config, slack, runner, _say, (lambda _: True) if args.yes else ask, key)
    except DeployError as error:
        _say(f"deploy: {error}")
        return 1
    if isinstance(runner, PreviewRunner):
        _say(runner.report())
        return 0
    done = "Dry run: nothing was changed." if runner.dry else "Deployed."
    _say(f"{done} Paste into the Slack app (or into manifest.yml, then reinstall it):")
    for url in urls:
        _say(f"  {url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
