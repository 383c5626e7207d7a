"""Press a button, or choose a menu option, that ``make try`` (or an earlier press) printed with a number, as a
Slack user would, against the app that ``make run`` serves; then print what changed, with its own numbered
controls. Or open the app's Home tab.

    make press N                        # the control printed as [N]
    python -m local.press [--user U0LOCALUSER] [--app-url URL] [--events-url URL] [--slack-url URL]
                          [--timeout SECONDS] [--controls-dir PATH] N
    python -m local.press [--user U0LOCALUSER] [--team T0LOCALTEAM] --home   # or: make press home

A press is sent as Slack sends it to the Interactivity Request URL: a signed ``block_actions`` payload. In a
message it carries the message's response_url (its answer may replace or remove that message); in a modal or
on the Home tab, the view as the Slack stand-in holds it now, with its current hash. A button that asks to
confirm is pressed as if the dialog was confirmed. ``--home`` sends the signed ``app_home_opened`` event that
Slack sends when the user opens the app's Home tab, and prints the Home tab the app publishes.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.parse
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local.block_kit import Control, controls
from local.slack_display import confirm_lines, render
from local.slack_standin import action_response_url
from local.try_command import (
    CONTROLS_DIR,
    DEFAULT_SLACK_URL,
    DEFAULT_TEAM,
    DEFAULT_USER,
    POLL_SECONDS,
    SETTLE_SECONDS,
    USER_ID,
    Ack,
    TryError,
    offer_controls,
    post,
    read_standin,
    signing_secret,
)
from testkit.slack_requests import (
    JSON_TYPE,
    block_actions_payload,
    event_body,
    interaction_body,
    signed_headers,
)
from testkit.waiting import WaitTimedOut, wait_until

DEFAULT_INTERACTIONS_URL = "http://localhost:7071/api/slack/interactions"
DEFAULT_EVENTS_URL = "http://localhost:7071/api/slack/events"


@dataclass(frozen=True)
class Seen:
    """What a user sees at one moment, as the stand-in tells it: a version that grows with each change, what
    they were shown (messages and modals), and their Home tab."""

    version: int
    shown: list[dict[str, Any]]
    home: dict[str, Any] | None

    @classmethod
    def now(cls, slack_url: str, user: str) -> Seen:
        quoted = urllib.parse.quote(user)
        version = read_standin(slack_url, f"version/{quoted}") or {}
        return cls(
            int(version.get("version", 0)),
            list(read_standin(slack_url, f"shown/{quoted}") or []),
            read_standin(slack_url, f"home/{quoted}"),
        )

    def changed_since(self, before: Seen) -> list[dict[str, Any]]:
        """What is new or different since ``before``: messages and modals in order, then the Home tab."""
        changed = [
            item for index, item in enumerate(self.shown) if index >= len(before.shown) or item != before.shown[index]
        ]
        if self.home is not None and self.home != before.home:
            changed.append(self.home)
        return changed

    @property
    def settled(self) -> bool:
        return not any(item.get("payload", {}).get("loading") for item in self.shown)


def wait_for_change(slack_url: str, user: str, before: Seen, timeout: float) -> list[dict[str, Any]]:
    """What changed for ``user`` since ``before``, once it stopped changing (or the timeout passed)."""
    last, settled_at = before, time.monotonic()

    def settled() -> bool:
        nonlocal last, settled_at
        seen = Seen.now(slack_url, user)
        if seen.version != last.version:
            last, settled_at = seen, time.monotonic()
        return last.version != before.version and last.settled and time.monotonic() - settled_at >= SETTLE_SECONDS

    try:
        wait_until(settled, timeout, "the change settling", every=POLL_SECONDS)
    except WaitTimedOut:
        pass  # what changed so far: the caller says when nothing did
    return last.changed_since(before)


# --- Pressing ------------------------------------------------------------------------------------------------


def offered(folder: Path, user: str) -> dict[str, Any]:
    """What the last ``make try`` or press kept for ``user``."""
    path = folder / f"{user}.json"
    try:
        return dict(json.loads(path.read_text()))
    except FileNotFoundError:
        raise TryError(f"Nothing was tried yet as {user}: run `make try ...` first, then `make press N`.") from None
    except ValueError as error:
        raise TryError(f"{path} is not what `make try` writes ({error}): run `make try ...` again.") from None


def chosen(kept: dict[str, Any], number: int) -> dict[str, Any]:
    offers = list(kept.get("controls") or [])
    found = [offer for offer in offers if offer.get("number") == number]
    if found:
        return dict(found[0])
    if not offers:
        raise TryError("The last thing shown has nothing to press: run `make try ...` for something that does.")
    raise TryError(f"There is no [{number}]: the last thing shown has [1] to [{len(offers)}].")


def current(slack_url: str, user: str, offer: dict[str, Any]) -> dict[str, Any]:
    """The message, modal or Home tab that holds ``offer`` as it stands now; refused when the control is no
    longer in it, as Slack shows no such control to press."""
    surface = offer.get("surface")
    if surface == "message":
        shown = read_standin(slack_url, f"shown/{urllib.parse.quote(user)}") or []
        index = int(offer.get("index", -1))
        item = shown[index] if 0 <= index < len(shown) else None
    elif surface == "home":
        item = read_standin(slack_url, f"home/{urllib.parse.quote(user)}")
    else:
        item = read_standin(slack_url, f"view/{urllib.parse.quote(str(offer.get('view_id')))}")
    if item is None or item.get("deleted"):
        raise TryError(f"The {surface} that held [{offer.get('number')}] is gone: run `make try ...` again.")
    if not any(_same(control, offer) for control in controls(item.get("payload", {}).get("blocks") or [])):
        raise TryError(f"[{offer.get('number')}] is no longer shown (the {surface} changed): press one shown now.")
    return dict(item)


def _same(control: Control, offer: dict[str, Any]) -> bool:
    return (control.block_id, control.action_id, control.value, control.option) == (
        offer.get("block_id"),
        offer.get("action_id"),
        offer.get("value"),
        offer.get("option"),
    )


def payload_for(offer: dict[str, Any], item: dict[str, Any], user: str, team: str, slack_url: str) -> dict[str, Any]:
    """The block_actions payload of a press of ``offer``, in ``item`` as the stand-in holds it now."""
    surface = str(offer.get("surface"))
    common: dict[str, Any] = {
        "user": user,
        "team": team,
        "block_id": str(offer.get("block_id")),
        "element": offer.get("element") or {},
        "option": offer.get("option"),
    }
    if surface == "message":
        url = action_response_url(slack_url, user, int(item.get("index", -1)))
        blocks = item.get("payload", {}).get("blocks") or []
        return block_actions_payload(**common, surface="message", response_url=url, message_blocks=blocks)
    view = {**item.get("payload", {}), "id": item.get("view_id"), "hash": item.get("hash")}
    return block_actions_payload(**common, surface="home" if surface == "home" else "modal", view=view)


def press(args: argparse.Namespace) -> int:
    kept = offered(args.controls_dir, args.user)
    offer = chosen(kept, args.number)
    team = str(kept.get("team") or args.team)
    item = current(args.slack_url, args.user, offer)
    before = Seen.now(args.slack_url, args.user)
    body = interaction_body(payload_for(offer, item, args.user, team, args.slack_url))
    print(f"{args.user} pressed: {offer.get('label')}", flush=True)
    confirm = (offer.get("element") or {}).get("confirm")
    if isinstance(confirm, dict):
        print("\n".join(confirm_lines(confirm)))
    return sent(args, post(args.app_url, body, signed_headers(signing_secret(), body)), before, team)


def open_home(args: argparse.Namespace) -> int:
    before = Seen.now(args.slack_url, args.user)
    view = (
        {**before.home["payload"], "id": before.home["view_id"], "hash": before.home["hash"]} if before.home else None
    )
    body = event_body(args.team, args.user, f"Ev{uuid.uuid4().hex[:10].upper()}", view=view)
    print(f"{args.user} opened the app's Home tab", flush=True)
    headers = signed_headers(signing_secret(), body, content_type=JSON_TYPE)
    return sent(args, post(args.events_url, body, headers), before, args.team)


def sent(args: argparse.Namespace, ack: Ack, before: Seen, team: str) -> int:
    """Print what the app acknowledged, then what changed for the user, with its controls numbered."""
    if ack.status != 200:
        print(ack.describe())
        return 1
    if ack.body.strip():
        print(f"The app answered: {ack.body.decode('utf-8', 'replace').strip()}")
    changed = wait_for_change(args.slack_url, args.user, before, args.timeout)
    if not changed:
        print(f"Nothing changed within {args.timeout:g} s: is the queue worker running (see the host's log)?")
        return 1
    for item in changed:
        print(render(item))
    offer_controls(changed, args.user, team, args.controls_dir)
    return 0


# --- Command line --------------------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(prog="python -m local.press", description=__doc__.split("\n\n")[0])
    parse.add_argument("number", nargs="?", help="the number `make try` printed the control with; or `home`")
    parse.add_argument("--home", action="store_true", help="open the app's Home tab instead")
    parse.add_argument("--user", default=DEFAULT_USER, help=f"Slack user id to act as (default: {DEFAULT_USER})")
    parse.add_argument("--team", default=DEFAULT_TEAM, help=f"Slack team id, for --home (default: {DEFAULT_TEAM})")
    parse.add_argument("--app-url", default=DEFAULT_INTERACTIONS_URL, help="the Interactivity Request URL")
    parse.add_argument("--events-url", default=DEFAULT_EVENTS_URL, help="the Events API Request URL")
    parse.add_argument("--slack-url", default=DEFAULT_SLACK_URL, help=f"Slack stand-in (default: {DEFAULT_SLACK_URL})")
    parse.add_argument("--timeout", type=float, default=15.0, help="seconds to wait for a change (default: 15)")
    parse.add_argument("--controls-dir", type=Path, default=CONTROLS_DIR, help="where `make try` kept the controls")
    return parse


def run(args: argparse.Namespace) -> int:
    if not USER_ID.fullmatch(args.user):
        raise TryError(f"--user must be a Slack user id such as {DEFAULT_USER} (U or W, then capitals and digits).")
    if args.home or args.number == "home":
        return open_home(args)
    if args.number is None or not str(args.number).isdigit():
        raise TryError("Which control? `make press N`, N a number `make try` printed, as in [1]; or `make press home`.")
    args.number = int(args.number)
    return press(args)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run(parser().parse_args(argv))
    except TryError as error:
        print(error, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
