"""Type a slash command as a Slack user would, against the app that ``make run`` serves, and print what Slack
would show that user: the acknowledgement when it says something, then each ephemeral reply and modal.

    python -m local.try_command [--user U0LOCALUSER] [--team T0LOCALTEAM] [--command /interactions]
                                [--app-url URL] [--slack-url URL] [--timeout SECONDS] -- "TEXT"

Mentions typed as ``@U123`` are sent the way Slack sends them, ``<@U123>``, and ``& < >`` escaped as Slack
escapes them. The request is signed with SLACK_SIGNING_SECRET, from the same settings the host reads.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from testkit.slack_requests import command_form, signed_headers

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_USER = "U0LOCALUSER"
DEFAULT_TEAM = "T0LOCALTEAM"
DEFAULT_APP_URL = "http://localhost:7071/api/slack/commands"
DEFAULT_SLACK_URL = "http://127.0.0.1:7072"
POLL_SECONDS = 0.1
SETTLE_SECONDS = 0.4  # after a first answer, how long to wait for more before printing

_USER_ID = re.compile(r"[UW][A-Z0-9]+")
_MARKUP = re.compile(r"<([^<>]*)>")


class TryError(RuntimeError):
    """Something a developer must fix before trying again; the message says what."""


# --- What is shown ---------------------------------------------------------------------------------------


def plain(mrkdwn: str) -> str:
    """Slack markup as a person reads it: mentions, dates, channels and links by what they show."""
    text = _MARKUP.sub(lambda match: _markup(match.group(1)), mrkdwn)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _markup(inner: str) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return target  # Slack shows the person's current name; the id stands in for it here
    if target.startswith("#"):
        return f"#{label}" if label else target
    if target.startswith("!"):
        if target.startswith("!date^") or label:
            return label or target
        return f"@{target[1:]}"  # !here, !channel, !everyone
    return f"{label} ({target})" if label else target


def _text(obj: Any) -> str:
    return plain(str(obj.get("text", ""))) if isinstance(obj, dict) else ""


def block_lines(blocks: Iterable[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "section":
            lines.extend(_text(block.get("text")).splitlines())
            lines.extend(_text(f) for f in block.get("fields", []))
        elif kind == "header":
            title = _text(block.get("text"))
            lines.extend([title, "=" * len(title)])
        elif kind == "context":
            lines.append(
                "  ".join(
                    _text(e) if "text" in e else f"[{e.get('alt_text', 'image')}]" for e in block.get("elements", [])
                )
            )
        elif kind == "divider":
            lines.append("-" * 40)
        elif kind == "actions":
            lines.append("  ".join(f"[{_text(e.get('text'))}]" for e in block.get("elements", [])))
        elif kind == "image":
            lines.append(f"[image: {block.get('alt_text', '')}]")
        else:
            lines.append(f"[{kind} block]")
    return lines


def render(shown: dict[str, Any]) -> str:
    """One thing the user saw (as the stand-in keeps it), as readable text."""
    payload = shown.get("payload", {})
    if shown.get("kind") == "modal":
        title = _text(payload.get("title")) or "Modal"
        body = ["(still loading)"] if payload.get("loading") else block_lines(payload.get("blocks", []))
        return "\n".join([f"┌─ Modal: {title}", *(f"│ {line}" for line in body), "└─"])
    blocks = payload.get("blocks")
    body = block_lines(blocks) if blocks else plain(str(payload.get("text", ""))).splitlines()
    return "\n".join(["Only visible to you:", *(f"  {line}" for line in body)])


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
    url = f"{slack_url.rstrip('/')}/shown/{urllib.parse.quote(user)}"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return list(json.loads(response.read()))
    except OSError as error:
        raise TryError(
            f"The Slack stand-in does not answer at {slack_url} ({error}): start the app with `make run` "
            "(without --no-slack)."
        ) from error


def wait_for_answers(slack_url: str, user: str, before: int, timeout: float) -> list[dict[str, Any]]:
    """What the user was shown after the first ``before`` things, once it stopped changing."""
    deadline = time.monotonic() + timeout
    last: list[dict[str, Any]] = []
    settled_at: float | None = None
    while time.monotonic() < deadline:
        new = shown_to(slack_url, user)[before:]
        if new != last:
            last, settled_at = new, time.monotonic()
        done = bool(new) and not any(s.get("payload", {}).get("loading") for s in new)
        if done and settled_at is not None and time.monotonic() - settled_at >= SETTLE_SECONDS:
            return new
        time.sleep(POLL_SECONDS)
    return last


# --- Command line ----------------------------------------------------------------------------------------


def signing_secret() -> str:
    from local.host import resolved_settings  # the host's resolution: environment, then the settings files

    secret = resolved_settings(ROOT).get("SLACK_SIGNING_SECRET", "")
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
    return parse


def run(args: argparse.Namespace) -> int:
    if not _USER_ID.fullmatch(args.user):
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
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run(parser().parse_args(argv))
    except TryError as error:
        print(error, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
