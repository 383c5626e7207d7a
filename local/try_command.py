"""Type a slash command as a Slack user would: what ``make try`` sends. Also what ``make try`` and ``make press``
share (``local.act`` is the one entry point of both): the request and its acknowledgement, reading the Slack
stand-in, and the numbered controls ``make press`` presses.

    python -m local.act try [--user U0LOCALUSER] [--team T0LOCALTEAM] [--command /interactions]
                            [--app-url URL] [--slack-url URL] [--timeout SECONDS] [--make-pid PID]
                            [--controls-dir PATH] -- "TEXT"

Mentions typed as ``@U123`` are sent the way Slack sends them, ``<@U123>``, and ``& < >`` escaped as Slack
escapes them. What Slack shows is printed as a person reads it: formatting without its marks, dates as Slack
shows them in UTC.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from interactions.settings import SIGNING_SECRET
from local.block_kit import FILLED, Control, controls, text_of
from local.slack_display import as_read, block_lines, control_label, plain, render
from testkit.slack_requests import command_form

__all__ = [  # with the display's functions, which were here first
    "CONTROLS_DIR",
    "DEFAULT_APP_URL",
    "DEFAULT_SLACK_URL",
    "DEFAULT_TEAM",
    "DEFAULT_USER",
    "DESCRIPTION",
    "POLL_SECONDS",
    "SETTLE_SECONDS",
    "USER_ID",
    "Ack",
    "Act",
    "TryError",
    "add_arguments",
    "as_read",
    "block_lines",
    "offer_controls",
    "offer_of",
    "plain",
    "post",
    "prepare",
    "read_standin",
    "render",
    "signing_secret",
    "typed_after",
    "typed_after_try",
]

DESCRIPTION = "Type a slash command as a Slack user would, and print what Slack shows them."
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


def offer_controls(items: Sequence[dict[str, Any]], user: str, team: str, folder: Path, again: bool = False) -> None:
    """Number each button and menu option of what was just printed, and keep in ``folder`` what pressing one
    takes, for ``make press N``: which surface holds it, and the element as the app sent it. ``again``: the
    press just made can be made again, as a second click before Slack shows the change."""
    saved: list[dict[str, Any]] = []
    for item in items:
        if item.get("deleted"):
            continue
        for control in controls(item.get("payload", {}).get("blocks") or [], item.get("state")):
            saved.append(offer_of(control, item, len(saved) + 1))
    if saved:
        print("To press one: make press N" + (", to fill one in: make press N VALUE..." if _fills(saved) else ""))
        for offered in saved:
            print(f"  [{offered['number']}] {offered['label']}")
        for offered in saved:
            if isinstance((offered.get("element") or {}).get("confirm"), dict):
                print(f"To answer Cancel when [{offered['number']}] asks: make press {offered['number']} cancel")
    for line in form_hints(items, saved):
        print(line)
    if again:
        print("To press the same again, as a second click before Slack shows the change: make press again")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{user}.json").write_text(json.dumps({"user": user, "team": team, "controls": saved}, indent=1))


def offer_of(control: Control, item: dict[str, Any], number: int | None = None) -> dict[str, Any]:
    """What pressing ``control`` of ``item`` takes, as ``make press`` keeps it: which surface holds it, and the
    element as the app sent it."""
    return {
        "number": number,
        "label": control_label(control),
        "surface": item.get("kind"),
        "index": item.get("index"),
        "view_id": item.get("view_id"),
        **{key: value for key, value in asdict(control).items() if key != "label"},
    }


def _fills(saved: Sequence[dict[str, Any]]) -> bool:
    return any(offered.get("type") in FILLED for offered in saved)


def form_hints(items: Sequence[dict[str, Any]], saved: Sequence[dict[str, Any]]) -> list[str]:
    """How to fill in and submit the modal just shown, if one is open with a submit button: the words
    ``make press`` takes for its inputs, as this form has them."""
    shown = [item for item in items if item.get("kind") == "modal" and not item.get("deleted")]
    payload = shown[-1].get("payload", {}) if shown else {}
    if not payload.get("submit") or payload.get("loading"):
        return []
    kinds = {str(offered.get("type")) for offered in saved}
    words = [
        example
        for kind, example in (
            ("multi_users_select", "pick U0DON U0MAELLE"),
            ("datepicker", "date 2026-12-01"),
            ("radio_buttons", "rate 1 +"),
        )
        if kind in kinds
    ]
    texts = [offered for offered in saved if offered.get("type") == "plain_text_input"]
    words += [f'{word} "..."' for word in ("names", "note") if any(word in _ids(offered) for offered in texts)]
    submit, close = (
        text_of(payload.get(name)) or default for name, default in (("submit", "Submit"), ("close", "Cancel"))
    )
    hints = [f"To fill it in: make press {' | '.join(words)}"] if words else []
    return [*hints, f"To press [{submit}]: make press submit; [{close}]: make press cancel"]


def _ids(offered: dict[str, Any]) -> str:
    return f"{offered.get('block_id', '')} {offered.get('action_id', '')}".lower()


# --- Command line ----------------------------------------------------------------------------------------


def signing_secret() -> str:
    from local.host import resolved_settings  # the host's resolution: environment, then the settings files

    secret = resolved_settings(ROOT).get(SIGNING_SECRET, "")
    if not secret:
        raise TryError("SLACK_SIGNING_SECRET is not set in the environment, local.settings.json or its example.")
    return secret


@dataclass(frozen=True)
class Act:
    """What a user does, ready to send: a line saying it, what Slack shows first (a dialog), and the signed
    request that tells the app."""

    said: str
    url: str
    body: bytes
    team: str
    content_type: str = "application/x-www-form-urlencoded"
    notes: tuple[str, ...] = ()
    answered_in_ack: bool = False  # a slash command: an answer in the ack is the whole answer
    again: bool = False  # it can be sent again as it was (``make press again``)


def add_arguments(parse: argparse.ArgumentParser) -> None:
    parse.add_argument("text", nargs="?", default="", help="what follows the command, e.g. '@U0DON + Random Guy -'")
    parse.add_argument("--command", default="/interactions", help="the slash command (default: /interactions)")
    parse.add_argument("--app-url", default=DEFAULT_APP_URL, help=f"where the app listens (default: {DEFAULT_APP_URL})")
    parse.add_argument(
        "--make-pid",
        type=int,
        metavar="PID",
        help="the text is what follows `try` on this make's command line (`make try hello -`)",
    )


def typed_after_try(make_pid: int, goals: str) -> str:
    """The text of ``make try @U0DON + Random Guy -``. make drops a lone ``-``, a rating, from the goals it
    keeps, so the words are read again from make's own command line; where that cannot be read, or does not
    agree with the goals, the goals as make kept them."""
    typed = typed_after(make_pid, "try", goals.split())
    return " ".join(word for argument in typed for word in argument.split())


def typed_after(make_pid: int, goal: str, goals: Sequence[str]) -> list[str]:
    """The arguments typed after ``goal`` on make's command line (``make press names "Random Guy"``: one
    argument with its space), a lone ``-`` included; where that cannot be read, or does not agree with the
    goals make kept (``goals``, split at spaces, without ``-``), the goals."""
    arguments = _command_line(make_pid)
    if goal not in arguments:
        return list(goals)
    typed = [
        argument
        for argument in arguments[arguments.index(goal) + 1 :]
        if argument == "-" or not (argument.startswith("-") or "=" in argument)  # make's options and VAR=value
    ]
    words = [word for argument in typed if argument != "-" for word in argument.split()]
    return typed if _unquoted(words) == _unquoted(word for goal in goals for word in goal.split()) else list(goals)


def _unquoted(words: Iterable[str]) -> list[str]:
    """Words as the shell leaves them of ``"Help, Desk"`` typed in ``make press names '"Help, Desk", Bob'``:
    without their quotes, which make's goals have lost and its command line still holds."""
    return [stripped for word in words if (stripped := word.replace('"', "").replace("'", ""))]


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


def prepare(args: argparse.Namespace, _before: object) -> Act:
    """The slash command typed, as Slack posts it to the app."""
    if args.make_pid is not None:
        args.text = typed_after_try(args.make_pid, args.text)
    form = command_form(args.user, args.team, args.command, args.text, args.slack_url)
    body = urllib.parse.urlencode(form).encode()
    said = f"{args.user} typed: {args.command} {args.text}".rstrip()
    return Act(said, args.app_url, body, args.team, answered_in_ack=True)
