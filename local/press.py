"""Press a button, or choose a menu option, that ``make try`` (or an earlier press) printed with a number, as a
Slack user would, or open the app's Home tab: what ``make press`` sends (``local.act`` prints what changed).

    make press N                        # the control printed as [N]
    make press N cancel                 # the control [N] asks to confirm, answered Cancel: nothing is sent
    make press again                    # the last press once more, as a second click before Slack showed it
    make press home                     # open the app's Home tab
    make press N VALUE...               # fill input [N] of a modal in: user ids, a date, or text
    make press pick U0DON U0MAELLE      # in the modal shown: the people picked (then names, note, date,
    make press rate 1 +                 # rate N +|-), and the modal's buttons: submit, cancel (``local.form``)
    python -m local.act press [--user U0LOCALUSER] [--team T0LOCALTEAM] [--app-url URL] [--events-url URL]
                              [--slack-url URL] [--timeout SECONDS] [--controls-dir PATH] N | home | again

A press is sent as Slack sends it to the Interactivity Request URL: a signed ``block_actions`` payload. In a
message it carries the message's response_url (its answer may replace or remove that message); in a modal or
on the Home tab, the view as the Slack stand-in holds it now, with its current hash. A button that asks to
confirm is pressed as if the dialog was confirmed, unless ``cancel`` follows its number. ``home`` sends the
signed ``app_home_opened`` event that Slack sends when the user opens the app's Home tab.
"""

from __future__ import annotations

import argparse
import json
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local.block_kit import CHOICES, FILLED, Control, controls
from local.slack_display import confirm_lines
from local.slack_standin import action_response_url
from local.try_command import POLL_SECONDS, SETTLE_SECONDS, Act, TryError, read_standin, typed_after
from testkit.slack_requests import JSON_TYPE, block_actions_payload, event_body, interaction_body
from testkit.waiting import WaitTimedOut, wait_until

DESCRIPTION = (
    "Press a control `make try` printed as [N] (`N cancel`: answer Cancel when it asks to confirm), press the "
    "last one again (`again`), or open the Home tab (`home`), as a Slack user would; print what changed."
)
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


def _filled_in(offer: dict[str, Any], item: dict[str, Any]) -> bool:
    """Whether ``offer`` is part of a form, to fill in or choose in (an input, radio buttons, or anything in an
    input block), rather than a control pressed (a button, or a menu in a message's or view's actions)."""
    if offer.get("type") in FILLED or offer.get("type") in CHOICES:
        return True
    blocks = item.get("payload", {}).get("blocks") or []
    return any(b.get("block_id") == offer.get("block_id") and b.get("type") == "input" for b in blocks)


def _same(control: Control, offer: dict[str, Any]) -> bool:
    return (control.block_id, control.action_id, control.value, control.option) == (
        offer.get("block_id"),
        offer.get("action_id"),
        offer.get("value"),
        offer.get("option"),
    )


def payload_for(
    offer: dict[str, Any], item: dict[str, Any], user: str, team: str, slack_url: str, filled: Any = None
) -> dict[str, Any]:
    """The block_actions payload of a press of ``offer`` (or of an input filled with ``filled``), in ``item``
    as the stand-in holds it now."""
    surface = str(offer.get("surface"))
    common: dict[str, Any] = {
        "user": user,
        "team": team,
        "block_id": str(offer.get("block_id")),
        "element": offer.get("element") or {},
        "option": offer.get("option"),
        "filled": filled,
    }
    if surface == "message":
        url = action_response_url(slack_url, user, int(item.get("index", -1)))
        blocks = item.get("payload", {}).get("blocks") or []
        return block_actions_payload(**common, surface="message", response_url=url, message_blocks=blocks)
    return block_actions_payload(**common, surface="home" if surface == "home" else "modal", view=view_of(item))


def view_of(item: dict[str, Any]) -> dict[str, Any]:
    """A modal or Home tab, as the stand-in holds it, the way Slack puts it in a payload (``Shown.as_view``)."""
    view = {**item.get("payload", {}), "id": item.get("view_id"), "hash": item.get("hash")}
    view["state"] = {"values": item.get("state") or {}}
    if item.get("kind") == "modal":
        view.update(root_view_id=item.get("root_view_id") or item.get("view_id"))
        view.update(previous_view_id=item.get("previous_view_id"))
    return view


def add_arguments(parse: argparse.ArgumentParser) -> None:
    parse.add_argument(
        "what",
        nargs="*",
        help="N (then `cancel` to answer Cancel, or the values to fill input N with), `home`, `again`, or in a "
        "modal: `pick USER...`, `names TEXT`, `note TEXT`, `date YYYY-MM-DD`, `rate N +|-`, `submit`, `cancel`",
    )
    parse.add_argument(
        "--make-pid",
        type=int,
        metavar="PID",
        help="the words are what follows `press` on this make's command line (`make press rate 1 -`)",
    )
    parse.add_argument("--home", action="store_true", help="open the app's Home tab")
    parse.add_argument("--app-url", default=DEFAULT_INTERACTIONS_URL, help="the Interactivity Request URL")
    parse.add_argument("--events-url", default=DEFAULT_EVENTS_URL, help="the Events API Request URL")


def prepare(args: argparse.Namespace, before: Seen) -> Act | None:
    """The press (or the Home tab opened, an input filled, a modal submitted or closed) as Slack posts it;
    None when nothing reaches the app."""
    what = [str(word) for word in args.what]
    if args.make_pid is not None:
        what = typed_after(args.make_pid, "press", what)
    if args.home or what == ["home"]:
        return open_home(args, before)
    if what == ["again"]:
        return again(args)
    from local import form  # which builds on the presses here

    if what and what[0] in form.FORM_WORDS:
        return form.act(args, what[0], what[1:])
    if not what or not what[0].isdigit():
        raise TryError(
            "Which control? `make press N`, N a number `make try` printed, as in [1] (`make press N cancel` answers "
            "Cancel when it asks to confirm, `make press N VALUE...` fills input N in); `make press home`; "
            "`make press again`; in a modal, `make press pick|names|note|date|rate|submit|cancel ...`."
        )
    return pressed(args, int(what[0]), what[1:])


def pressed(args: argparse.Namespace, number: int, more: list[str]) -> Act | None:
    kept = offered(args.controls_dir, args.user)
    offer = chosen(kept, number)
    team = str(kept.get("team") or args.team)
    item = current(args.slack_url, args.user, offer)
    if offer.get("surface") == "modal" and _filled_in(offer, item):
        from local import form  # which builds on the presses here

        return form.fill(args, team, offer, item, more)
    if more not in ([], ["cancel"]):
        raise TryError(f"[{number}] is pressed, not filled in: `make press {number}` (or `{number} cancel`).")
    cancel = more == ["cancel"]
    confirm = (offer.get("element") or {}).get("confirm")
    dialog = confirm_lines(confirm, cancel) if isinstance(confirm, dict) else []
    if cancel:
        if not dialog:
            raise TryError(f"[{number}] does not ask to confirm, so there is nothing to cancel: `make press {number}`.")
        print(f"{args.user} pressed: {offer.get('label')}", *dialog, sep="\n")
        print(f"Nothing was sent to the app: the {offer.get('surface')} stays as it was, [{number}] still shown.")
        return None
    last = {"offer": offer, "item": item, "team": team}  # what `make press again` presses once more
    (args.controls_dir / f"{args.user}.pressed.json").write_text(json.dumps(last, indent=1))
    payload = payload_for(offer, item, args.user, team, args.slack_url)
    said = f"{args.user} pressed: {offer.get('label')}"
    return Act(said, args.app_url, interaction_body(payload), team, notes=tuple(dialog), again=True)


def again(args: argparse.Namespace) -> Act:
    """The last press once more, on what it was pressed in then: a second click made before Slack showed the
    first one's change (a press of its own, with its own trigger id and time, as Slack sends it)."""
    try:
        last = json.loads((args.controls_dir / f"{args.user}.pressed.json").read_text())
        offer, item, team = dict(last["offer"]), dict(last["item"]), str(last["team"])
    except (OSError, ValueError, KeyError, TypeError):
        raise TryError(
            f"Nothing was pressed yet as {args.user}: `make press N` first, then `make press again`."
        ) from None
    payload = payload_for(offer, item, args.user, team, args.slack_url)
    return Act(
        f"{args.user} pressed again: {offer.get('label')}", args.app_url, interaction_body(payload), team, again=True
    )


def open_home(args: argparse.Namespace, before: Seen) -> Act:
    view = (
        {**before.home["payload"], "id": before.home["view_id"], "hash": before.home["hash"]} if before.home else None
    )
    body = event_body(args.team, args.user, f"Ev{uuid.uuid4().hex[:10].upper()}", view=view)
    return Act(f"{args.user} opened the app's Home tab", args.events_url, body, args.team, content_type=JSON_TYPE)
