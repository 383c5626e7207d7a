"""Type a slash command as a Slack user would, against the app that ``make run`` serves, and print what Slack
would show that user: the acknowledgement when it says something, then each ephemeral reply and modal.

    python -m local.try_command [--user U0LOCALUSER] [--team T0LOCALTEAM] [--command /interactions]
                                [--app-url URL] [--slack-url URL] [--timeout SECONDS] [--make-pid PID]
                                -- "TEXT"

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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
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
_CODE = re.compile(r"```(.+?)```|`([^`\n]+)`", re.DOTALL)
# Bold, italic, strike: a mark opens after a non-word character and closes before one, within one line.
_EMPHASIS = [re.compile(rf"(?<![\w{m}]){m}(?=\S)([^{m}\n]+?)(?<=\S){m}(?![\w{m}])") for m in (r"\*", "_", "~")]
_HELD = re.compile("\ue000(\\d+)\ue001")
_DATE_TOKEN = re.compile(r"\{(\w+)\}")


class TryError(RuntimeError):
    """Something a developer must fix before trying again; the message says what."""


# --- What is shown ---------------------------------------------------------------------------------------


def plain(mrkdwn: str) -> str:
    """Slack markup resolved: mentions, channels and links by what they show, dates by their fallback text, and
    entities unescaped; formatting marks are kept, so that a check finds the text as it was sent."""
    return _unescaped(_MARKUP.sub(lambda match: _markup(match.group(1)), mrkdwn))


def as_read(mrkdwn: str, now: datetime | None = None) -> str:
    """Slack mrkdwn as a person reads it: ``plain``, but formatting shown without its marks and dates as Slack
    shows them to a reader whose time zone is UTC; ``now`` decides which day is "today"."""
    now = now or datetime.now(UTC)
    shown: list[str] = []
    last = 0
    for code in _CODE.finditer(mrkdwn):  # code is shown as typed: no markup, no formatting inside
        shown += [_formatted(mrkdwn[last : code.start()], now), _unescaped(code.group(1) or code.group(2))]
        last = code.end()
    return "".join([*shown, _formatted(mrkdwn[last:], now)])


def _formatted(text: str, now: datetime) -> str:
    # Markup is set aside first, so that an underscore in a link or a star in a label is not read as formatting.
    held: list[str] = []

    def hold(match: re.Match[str]) -> str:
        held.append(_unescaped(_markup(match.group(1), now)))
        return f"\ue000{len(held) - 1}\ue001"

    text = _MARKUP.sub(hold, text)
    for emphasis in _EMPHASIS:
        text = emphasis.sub(r"\1", text)

    def restore(match: re.Match[str]) -> str:
        index = int(match.group(1))
        return held[index] if index < len(held) else match.group(0)  # a look-alike in the text itself

    return _HELD.sub(restore, _unescaped(text))


def _unescaped(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _markup(inner: str, now: datetime | None = None) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return target  # Slack shows the person's current name; the id stands in for it here
    if target.startswith("#"):
        return f"#{label}" if label else target
    if target.startswith("!date^"):
        return (_date(target, now) if now else None) or label or target
    if target.startswith("!"):
        return label or f"@{target[1:]}"  # !here, !channel, !everyone
    return f"{label} ({target})" if label else target


def _date(target: str, now: datetime) -> str | None:
    """``!date^<timestamp>^<format>[^<link>]`` as Slack shows it; None where Slack would show the fallback."""
    fields = target.split("^")
    try:
        at = datetime.fromtimestamp(int(fields[1]), UTC)
        template = fields[2]
    except (IndexError, ValueError, OverflowError, OSError):
        return None
    tokens = _DATE_TOKEN.findall(template)
    if not tokens or any(token not in _DATES for token in tokens):
        return None
    return _DATE_TOKEN.sub(lambda match: _DATES[match.group(1)](at, now, match.start() == 0), template)


def _day(at: datetime) -> str:
    suffix = "th" if 10 <= at.day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(at.day % 10, "th")
    return f"{at:%B} {at.day}{suffix}, {at.year}"


def _time(at: datetime, seconds: bool = False) -> str:
    return f"{at.hour % 12 or 12}:{at:%M}{at.strftime(':%S') if seconds else ''} {'PM' if at.hour >= 12 else 'AM'}"


def _pretty(shown: Callable[[datetime], str]) -> Callable[[datetime, datetime, bool], str]:
    """Today, yesterday or tomorrow where one applies (capitalised at the start of the text), else ``shown``."""

    def pretty(at: datetime, now: datetime, first: bool) -> str:
        word = {0: "today", -1: "yesterday", 1: "tomorrow"}.get((at.date() - now.date()).days)
        if word is None:
            return shown(at)
        return word.capitalize() if first else word

    return pretty


def _ago(at: datetime, now: datetime, _first: bool) -> str:
    seconds = int((now - at).total_seconds())
    for unit, size in (("year", 365 * 86400), ("month", 30 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60)):
        if abs(seconds) >= size:
            count = abs(seconds) // size
            amount = f"{count} {unit}{'s' if count > 1 else ''}"
            return f"{amount} ago" if seconds > 0 else f"in {amount}"
    return "just now"


def _date_short(at: datetime) -> str:
    return f"{at:%b} {at.day}, {at.year}"


def _date_long(at: datetime) -> str:
    return f"{at:%A}, {_day(at)}"


# Slack's date tokens (https://api.slack.com/reference/surfaces/formatting#date-formatting), each given the
# time, now, and whether it opens the text; {time} in 12-hour form, Slack's default.
_DATES: dict[str, Callable[[datetime, datetime, bool], str]] = {
    "date_num": lambda at, _now, _first: f"{at:%Y-%m-%d}",
    "date_slash": lambda at, _now, _first: f"{at:%d/%m/%Y}",
    "date": lambda at, _now, _first: _day(at),
    "date_short": lambda at, _now, _first: _date_short(at),
    "date_long": lambda at, _now, _first: _date_long(at),
    "date_long_full": lambda at, _now, _first: f"{at:%B} {at.day}, {at.year}",
    "date_pretty": _pretty(_day),
    "date_short_pretty": _pretty(_date_short),
    "date_long_pretty": _pretty(_date_long),
    "time": lambda at, _now, _first: _time(at),
    "time_secs": lambda at, _now, _first: _time(at, seconds=True),
    "ago": _ago,
}


def _text(obj: Any) -> str:
    if not isinstance(obj, dict):
        return ""
    text = str(obj.get("text", ""))
    return text if obj.get("type") == "plain_text" else as_read(text)  # Slack formats mrkdwn only


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
    body = block_lines(blocks) if blocks else as_read(str(payload.get("text", ""))).splitlines()
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
