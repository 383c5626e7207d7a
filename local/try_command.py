"""Type a slash command as a Slack user would, against the app that ``make run`` serves, and print what Slack
would show that user: the acknowledgement when it says something, then each ephemeral reply and modal, and
then each button and menu option in them with a number, for ``make press N`` (``local.press``) to press.

    python -m local.try_command [--user U0LOCALUSER] [--team T0LOCALTEAM] [--command /interactions]
                                [--app-url URL] [--slack-url URL] [--timeout SECONDS] [--make-pid PID]
                                [--controls-dir PATH] -- "TEXT"

Mentions typed as ``@U123`` are sent the way Slack sends them, ``<@U123>``, and ``& < >`` escaped as Slack
escapes them. The request is signed with SLACK_SIGNING_SECRET, from the same settings the host reads. What
Slack shows is printed as a person reads it: formatting without its marks, dates as Slack shows them in UTC.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from interactions.settings import SIGNING_SECRET
from local.block_kit import controls
from local.slack_display import as_read, block_lines, control_label, plain, render
from testkit.slack_requests import command_form, signed_headers
from testkit.waiting import WaitTimedOut, wait_until

__all__ = [  # with the display's functions, which were here first
    "CONTROLS_DIR",
    "DEFAULT_APP_URL",
    "DEFAULT_SLACK_URL",
    "DEFAULT_TEAM",
    "DEFAULT_USER",
    "POLL_SECONDS",
    "SETTLE_SECONDS",
    "USER_ID",
    "Ack",
    "TryError",
    "as_read",
    "block_lines",
    "main",
    "offer_controls",
    "parser",
    "plain",
    "post",
    "read_standin",
    "render",
    "run",
    "shown_to",
    "signing_secret",
    "typed_after_try",
    "wait_for_answers",
]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_USER = "U0LOCALUSER"
DEFAULT_TEAM = "T0LOCALTEAM"
DEFAULT_APP_URL = "http://localhost:7071/api/slack/commands"
DEFAULT_SLACK_URL = "http://127.0.0.1:7072"
POLL_SECONDS = 0.1
SETTLE_SECONDS = 0.4  # after a first answer, how long to wait for more before printing
CONTROLS_DIR = ROOT / ".cache" / "try-controls"  # what `make press N` presses; ignored by git, as all of .cache/

USER_ID = re.compile(r"[UW][A-Z0-9]+")


class TryError(RuntimeError):
    """Something a developer must fix before trying again; the message says what."""


# --- Talking to the app and the stand-in -----------------------------------------------------------------


@dataclass(frozen=True)
class Ack:
    status: int
    body: bytes

    def describe(self) -> str | None:
        """What Slack shows for the acknowledgement; None for the usual empty 200."""
        if self.status == 200 and not self.body.strip():
            return None
        try:
            payload = json.loads(self.body)
        except ValueError:
            payload = None
        if isinstance(payload, dict) and "text" in payload:
            shown = render({"kind": "message", "payload": payload})
            return shown if self.status == 200 else f"The app answered HTTP {self.status}:\n{shown}"
        text = self.body.decode("utf-8", "replace").strip()
        return f"The app answered HTTP {self.status}" + (f": {text}" if text else " (no body).")


def post(url: str, body: bytes, headers: dict[str, str]) -> Ack:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Ack(response.status, response.read())
    except urllib.error.HTTPError as error:
        return Ack(error.code, error.read())
    except OSError as error:
        raise TryError(f"Nothing answers at {url} ({error}): start the app with `make run`.") from error


def shown_to(slack_url: str, user: str) -> list[dict[str, Any]]:
    return list(read_standin(slack_url, f"shown/{urllib.parse.quote(user)}") or [])


def read_standin(slack_url: str, path: str) -> Any:
    """What the stand-in answers to ``GET /<path>``; None when it has no such thing."""
    url = f"{slack_url.rstrip('/')}/{path}"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise TryError(f"The Slack stand-in at {slack_url} answered HTTP {error.code} to GET /{path}.") from error
    except OSError as error:
        raise TryError(
            f"The Slack stand-in does not answer at {slack_url} ({error}): start the app with `make run` "
            "(without --no-slack)."
        ) from error


def wait_for_answers(slack_url: str, user: str, before: int, timeout: float) -> list[dict[str, Any]]:
    """What the user was shown after the first ``before`` things, once it stopped changing."""
    last: list[dict[str, Any]] = []
    settled_at = time.monotonic()

    def settled() -> list[dict[str, Any]] | None:
        nonlocal last, settled_at
        new = shown_to(slack_url, user)[before:]
        if new != last:
            last, settled_at = new, time.monotonic()
        done = bool(new) and not any(s.get("payload", {}).get("loading") for s in new)
        return new if done and time.monotonic() - settled_at >= SETTLE_SECONDS else None

    try:
        return wait_until(settled, timeout, "the answers settling", every=POLL_SECONDS)
    except WaitTimedOut:
        return last


def offer_controls(items: Sequence[dict[str, Any]], user: str, team: str, folder: Path) -> None:
    """Number each button and menu option of what was just printed, and keep in ``folder`` what pressing one
    takes, for ``make press N``: which surface holds it, and the element as the app sent it."""
    saved: list[dict[str, Any]] = []
    for item in items:
        if item.get("deleted"):
            continue
        for control in controls(item.get("payload", {}).get("blocks") or []):
            saved.append(
                {
                    "number": len(saved) + 1,
                    "label": control_label(control),
                    "surface": item.get("kind"),
                    "index": item.get("index"),
                    "view_id": item.get("view_id"),
                    **{key: value for key, value in asdict(control).items() if key != "label"},
                }
            )
    if saved:
        print("To press one: make press N")
        for offered in saved:
            print(f"  [{offered['number']}] {offered['label']}")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{user}.json").write_text(json.dumps({"user": user, "team": team, "controls": saved}, indent=1))


# --- Command line ----------------------------------------------------------------------------------------


def signing_secret() -> str:
    from local.host import resolved_settings  # the host's resolution: environment, then the settings files

    secret = resolved_settings(ROOT).get(SIGNING_SECRET, "")
    if not secret:
        raise TryError("SLACK_SIGNING_SECRET is not set in the environment, local.settings.json or its example.")
    return secret


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(prog="python -m local.try_command", description=__doc__.split("\n\n")[0])
    parse.add_argument("text", nargs="?", default="", help="what follows the command, e.g. '@U0DON + Random Guy -'")
    parse.add_argument("--user", default=DEFAULT_USER, help=f"Slack user id to act as (default: {DEFAULT_USER})")
    parse.add_argument("--team", default=DEFAULT_TEAM, help=f"Slack team id (default: {DEFAULT_TEAM})")
    parse.add_argument("--command", default="/interactions", help="the slash command (default: /interactions)")
    parse.add_argument("--app-url", default=DEFAULT_APP_URL, help=f"where the app listens (default: {DEFAULT_APP_URL})")
    parse.add_argument("--slack-url", default=DEFAULT_SLACK_URL, help=f"Slack stand-in (default: {DEFAULT_SLACK_URL})")
    parse.add_argument("--timeout", type=float, default=15.0, help="seconds to wait for an answer (default: 15)")
    parse.add_argument("--controls-dir", type=Path, default=CONTROLS_DIR, help="where `make press` finds the controls")
    parse.add_argument(
        "--make-pid",
        type=int,
        metavar="PID",
        help="the text is what follows `try` on this make's command line (`make try hello -`)",
    )
    return parse


def typed_after_try(make_pid: int, goals: str) -> str:
    """The text of ``make try @U0DON + Random Guy -``. make drops a lone ``-``, a rating, from the goals it
    keeps, so the words are read again from make's own command line; where that cannot be read, or does not
    agree with the goals, the goals as make kept them."""
    arguments = _command_line(make_pid)
    if "try" not in arguments:
        return goals
    words: list[str] = []
    for argument in arguments[arguments.index("try") + 1 :]:
        if argument == "-":
            words.append(argument)
        elif not argument.startswith("-") and "=" not in argument:  # options and VAR=value are make's own
            words.extend(argument.split())
    return " ".join(words) if [word for word in words if word != "-"] == goals.split() else goals


def _command_line(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")[:-1]
    except OSError:
        pass
    # No /proc (macOS): ps joins the arguments with spaces, as the text's words are joined anyway.
    command = ["ps", "-ww", "-o", "args=", "-p", str(pid)]
    try:
        ps = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - ps, and a number
    except OSError:
        return []
    return ps.stdout.split()


def run(args: argparse.Namespace) -> int:
    if args.make_pid is not None:
        args.text = typed_after_try(args.make_pid, args.text)
    if not USER_ID.fullmatch(args.user):
        raise TryError(f"--user must be a Slack user id such as {DEFAULT_USER} (U or W, then capitals and digits).")
    before = len(shown_to(args.slack_url, args.user))
    form = command_form(args.user, args.team, args.command, args.text, args.slack_url)
    body = urllib.parse.urlencode(form).encode()
    print(f"{args.user} typed: {args.command} {args.text}".rstrip(), flush=True)
    ack = post(args.app_url, body, signed_headers(signing_secret(), body))
    described = ack.describe()
    if described is not None:
        print(described)
    if ack.status != 200 or ack.body.strip():
        return 0 if ack.status == 200 else 1  # an answer in the ack means nothing was queued
    answers = wait_for_answers(args.slack_url, args.user, before, args.timeout)
    if not answers:
        print(f"Nothing was shown within {args.timeout:g} s: is the queue worker running (see the host's log)?")
        return 1
    for shown in answers:
        print(render(shown))
    offer_controls(answers, args.user, args.team, args.controls_dir)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run(parser().parse_args(argv))
    except TryError as error:
        print(error, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
