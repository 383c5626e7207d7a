"""``make try``, ``make press`` and ``make shortcut``, one entry point: do in Slack what a user does (type a
slash command, press a button or a menu option, open the Home tab, fill a modal in and submit it, use a
shortcut), against the app that ``make run`` serves, and print what Slack then shows that user, with each of
its controls numbered for the next ``make press``.

    python -m local.act try [options] -- "TEXT"            (make try TEXT)
    python -m local.act press [options] N [cancel]          (make press N)
    python -m local.act press [options] home | again        (make press home, make press again)
    python -m local.act press [options] submit | pick ...   (make press submit: local.form)
    python -m local.act shortcut [options] [global | message [TEXT]]   (make shortcut)

Each signs its request with SLACK_SIGNING_SECRET from the settings the host reads, waits for what the app
shows the user on the Slack stand-in, prints it as a person reads it, says where a file the app sent can be
read, and keeps the controls shown for ``make press``. What each one sends is in ``local.try_command``,
``local.press``, ``local.form`` and ``local.shortcut``.
"""

from __future__ import annotations

import argparse
import sys
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from local import press, shortcut, try_command
from local.press import Seen, wait_for_change
from local.slack_display import render
from local.try_command import (
    CONTROLS_DIR,
    DEFAULT_SLACK_URL,
    DEFAULT_TEAM,
    DEFAULT_USER,
    USER_ID,
    Act,
    TryError,
    offer_controls,
    post,
    read_standin,
    signing_secret,
)
from testkit.slack_requests import signed_headers


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--user", default=DEFAULT_USER, help=f"Slack user id to act as (default: {DEFAULT_USER})")
    common.add_argument("--team", default=DEFAULT_TEAM, help=f"Slack team id (default: {DEFAULT_TEAM})")
    common.add_argument("--slack-url", default=DEFAULT_SLACK_URL, help=f"Slack stand-in (default: {DEFAULT_SLACK_URL})")
    common.add_argument("--timeout", type=float, default=15.0, help="seconds to wait for an answer (default: 15)")
    common.add_argument("--controls-dir", type=Path, default=CONTROLS_DIR, help="where `make press` finds the controls")
    parse = argparse.ArgumentParser(prog="python -m local.act", description=__doc__.split("\n\n")[0])
    actions = parse.add_subparsers(dest="action", required=True, metavar="try|press|shortcut")
    for module, name in ((try_command, "try"), (press, "press"), (shortcut, "shortcut")):
        action = actions.add_parser(name, parents=[common], help=module.DESCRIPTION, description=module.DESCRIPTION)
        module.add_arguments(action)
        action.set_defaults(prepare=module.prepare)
    return parse


def act(args: argparse.Namespace) -> int:
    """Send what the user did, then print what Slack shows them because of it."""
    if not USER_ID.fullmatch(args.user):
        raise TryError(f"--user must be a Slack user id such as {DEFAULT_USER} (U or W, then capitals and digits).")
    before = Seen.now(args.slack_url, args.user)
    files_before = len(_files(args.slack_url, args.user))
    done: Act | None = args.prepare(args, before)
    if done is None:
        return 0  # nothing reaches the app, as when a dialog is answered Cancel
    print(done.said, flush=True)
    for line in done.notes:
        print(line)
    if done.body:  # else Slack alone changed what the user sees (a value typed in a modal, say)
        headers = signed_headers(signing_secret(), done.body, content_type=done.content_type)
        ack = post(done.url, done.body, headers)
        if ack.status != 200:
            print(ack.describe())
            return 1
        if ack.body.strip():
            if done.answered_in_ack:  # an answer in the ack (help, a mistake) means nothing was queued
                print(ack.describe())
                return 0
            print(f"The app answered: {ack.body.decode('utf-8', 'replace').strip()}")
    changed = wait_for_change(args.slack_url, args.user, before, args.timeout)
    if not changed:
        print(f"Nothing was shown within {args.timeout:g} s: is the queue worker running (see the host's log)?")
        return 1
    for item in changed:
        print(render(item))
    for shared in _files(args.slack_url, args.user)[files_before:]:
        print(file_lines(args.slack_url, args.user, shared))
    offer_controls(changed, args.user, done.team, args.controls_dir, again=done.again)
    return 0


def _files(slack_url: str, user: str) -> list[dict[str, Any]]:
    return list(read_standin(slack_url, f"files/{urllib.parse.quote(user)}") or [])


def file_lines(slack_url: str, user: str, shared: dict[str, Any]) -> str:
    """Where a file the app sent the user is, on this machine: Slack would show it in their messages."""
    url = f"{slack_url.rstrip('/')}/files/{urllib.parse.quote(user)}/{urllib.parse.quote(str(shared.get('file_id')))}"
    return (
        f'The file {shared.get("filename")} ("{shared.get("title")}") is in {user}\'s messages with the app; '
        f"here, the Slack stand-in keeps it until `make run` stops. Read it with:\n  curl -s {url}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return act(parser().parse_args(argv))
    except TryError as error:
        print(error, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
