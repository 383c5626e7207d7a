"""``make destroy NAME=...``: delete ``NAME-rg`` and everything in it, after confirmation, and say what
outlives it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from deploy.config import Config, Names
from deploy.lists import FLEX_LOCATIONS
from deploy.plan import VAULT_RETENTION_DAYS
from deploy.runner import CommandFailed, DeployError, Runner


def destroy(name: str, runner: Runner, say: Callable[[str], None], ask: Callable[[str], bool]) -> bool:
    """Whether the group was deleted (False: it did not exist, or the answer was no)."""
    names = Names.of(Config(name=name, location=FLEX_LOCATIONS.values[0]))
    try:
        subscription = runner.run(["az", "account", "show", "--query", "[name, id]", "-o", "tsv"],
                                  dry_result="<subscription.name> <subscription.id>")  # fmt: skip
    except CommandFailed as error:
        raise DeployError("the Azure CLI is not logged in: run `az login` (and `az account set -s ...`).") from error
    if runner.run(["az", "group", "exists", "-n", names.group], dry_result="true") != "true":
        say(f"{names.group} does not exist in {' '.join(subscription.split())}: nothing to delete.")
        return False
    resources = runner.run(["az", "resource", "list", "-g", names.group, "--query", "length(@)", "-o", "tsv"],
                           dry_result="<count>")  # fmt: skip
    question = (f"Delete {names.group} and its {resources} resources, with every member's logs, from "
                f"{' '.join(subscription.split())}? Type the group's name to confirm: ")  # fmt: skip
    if not runner.dry and not ask(question):
        say("Nothing was deleted.")
        return False
    runner.run(["az", "group", "delete", "-n", names.group, "--yes", "-o", "none"])
    say(
        f"Deleted {names.group}. What outlives it:\n"
        f"  - Key Vault {names.vault}, in soft delete for {VAULT_RETENTION_DAYS} days with purge protection: it "
        "cannot be purged, its name stays taken, and `make deploy` with the same NAME recovers it, pseudonym "
        "key included (so logs restored from a backup of the storage account would read again);\n"
        f"  - Log Analytics workspace {names.workspace}, recoverable for 14 days (`az monitor log-analytics "
        "workspace recover`);\n"
        "  - role assignments of the deleted identity, left behind as 'Unknown' on the subscription's access "
        "list; remove them there."
    )
    return True


def main(argv: Sequence[str] | None = None, runner: Runner | None = None,
         ask: Callable[[str], bool] | None = None) -> int:  # fmt: skip
    from deploy.__main__ import _say, real_runner

    parser = argparse.ArgumentParser(prog="python -m deploy.destroy", description=__doc__)
    parser.add_argument("--name", required=True)
    parser.add_argument("--yes", action="store_true", help="do not ask")
    args = parser.parse_args(argv)
    group = f"{args.name}-rg"

    def typed_name(question: str) -> bool:
        if not sys.stdin.isatty():
            _say(question + "(no terminal to answer: set YES=1 to delete without asking)")
            return False
        return input(question).strip() == group

    try:
        chosen = runner or real_runner(("az",))
        destroy(args.name, chosen, _say, (lambda _: True) if args.yes else (ask or typed_name))
    except DeployError as error:
        _say(f"destroy: {error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
