"""Fill in a modal and submit it, or close it, as a member does: what ``make press`` sends for the inputs of the
modal shown (``local.act`` prints what changed).

    make press N VALUE...               # fill input [N] in: user ids, a date (YYYY-MM-DD), or text
    make press N                        # choose the option [N] of radio buttons or a menu in the modal
    make press pick U0DON U0MAELLE      # the people picker (a multi_users_select) of the modal shown
    make press names "Random Guy, Help Desk"   # its text input whose block or action id names "name"
    make press note "met for coffee"    # its text input whose block or action id names "note"
    make press date 2026-12-01          # its date picker
    make press rate 1 +                 # the first + / − choice (radio buttons or a menu with a + and a −)
    make press submit                   # its submit button: the stand-in posts the view_submission
    make press cancel                   # its close button: the view under it shows, or the modal closes

What the member picks, types or chooses is kept by the Slack stand-in, in the view's state, as Slack keeps it
in the client. Where the input dispatches its changes (an input block with ``dispatch_action``, or radio
buttons, a menu or a picker outside input blocks), the change is also sent as Slack sends it: a signed
``block_actions`` with the view's state and hash; otherwise the app hears of it only at submission. A submission
is signed here and handed to the stand-in, which posts it to the app and plays its ``response_action``, as
Slack does; a close is told to the app only when the view asks for it (``notify_on_close``).
"""

from __future__ import annotations

import argparse
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import date
from typing import Any

from local.block_kit import FILLED, STATEFUL, Control, controls, state_entry, text_of
from local.press import offered, payload_for, view_of
from local.try_command import POLL_SECONDS, USER_ID, Act, TryError, offer_of, read_standin, signing_secret
from testkit.slack_requests import interaction_body, signed_headers, view_closed_payload, view_submission_payload
from testkit.waiting import WaitTimedOut, wait_until

__all__ = ["FORM_WORDS", "SUBMITTED", "act", "close", "dispatches", "fill", "open_view", "submit"]

FORM_WORDS = ("pick", "names", "note", "date", "rate", "submit", "cancel")
_SIGNS = {"+": "+", "-": "−", "−": "−"}  # what the member types, and the sign the form shows
_TEXTS = {"names": "name", "note": "note"}  # the word, and what the text input's block or action id holds
WORKER_SECONDS = 5.0  # how long a submission answered "update" waits for the worker's own update of the view


def act(args: argparse.Namespace, word: str, values: list[str]) -> Act | None:
    """``make press WORD ...`` on the modal the member has open now (the view on top)."""
    top = open_view(args.slack_url, args.user)
    try:
        team = str(offered(args.controls_dir, args.user).get("team") or args.team)
    except TryError:  # the modal was not opened by `make try` or a press: a shortcut used by other means
        team = args.team
    if word == "submit":
        _nothing_more(word, values)
        return submit(args, team, top)
    if word == "cancel":
        _nothing_more(word, values)
        return close(args, team, top)
    if word == "rate":
        return _rate(args, team, top, values)
    found = [control for control in _controls(top) if _named(word, control)]
    if len(found) != 1:
        what = {"pick": "people picker", "date": "date picker"}.get(word, f"text input for {word}")
        several = "several: fill the one you mean in with `make press N ...`" if found else "none"
        raise TryError(f"`make press {word}` needs one {what} in the modal shown; it has {several}.")
    return fill(args, team, offer_of(found[0], top), top, values)


def open_view(slack_url: str, user: str) -> dict[str, Any]:
    stack = read_standin(slack_url, f"stack/{urllib.parse.quote(user)}") or []
    if not stack:
        raise TryError(f"{user} has no modal open: `make try log` (or `make shortcut`) opens the form.")
    return dict(stack[-1])


def fill(args: argparse.Namespace, team: str, offer: dict[str, Any], item: dict[str, Any], values: list[str]) -> Act:
    """The member fills input ``offer`` in with ``values`` (or, for an option, chooses it): kept by the stand-in,
    and sent to the app if the input dispatches its changes."""
    element = dict(offer.get("element") or {})
    kind = str(element.get("type"))
    if kind in FILLED:
        value = _value(kind, element, values, str(offer.get("label")))
        said = f"{args.user} filled in {offer.get('label')}: {_shown(value)}"
    elif values:
        raise TryError(f"[{offer.get('number', '?')}] is one option to choose: `make press {offer.get('number')}`.")
    else:
        value = offer.get("option")
        said = f"{args.user} chose: {offer.get('label')}"
    entry = state_entry(element, value)
    answer = _post(args.slack_url, f"choose/{offer.get('view_id')}", offer, entry)
    blocks: list[dict[str, Any]] = item.get("payload", {}).get("blocks") or []
    block = next((b for b in blocks if b.get("block_id") == offer.get("block_id")), {})
    if not dispatches(block):
        return Act(said, "", b"", team, notes=("Slack keeps it in the modal: the app sees it when it is submitted.",))
    now = dict(answer.get("view") or item)
    payload = payload_for(offer, now, args.user, team, args.slack_url, filled=None if kind not in FILLED else value)
    return Act(said, args.app_url, interaction_body(payload), team)


def dispatches(block: dict[str, Any]) -> bool:
    """Whether Slack sends a change to an element of ``block`` at once: outside input blocks it always does;
    in an input block, only with ``dispatch_action`` (a text input's on Enter, which filling it in here is)."""
    return block.get("type") != "input" or block.get("dispatch_action") is True


def submit(args: argparse.Namespace, team: str, view: dict[str, Any]) -> Act | None:
    """The member presses the modal's submit button: the signed view_submission, posted to the app by the
    stand-in, which plays the app's answer. None (and what went wrong printed) when nothing changed."""
    if not view.get("payload", {}).get("submit"):
        raise TryError("The modal shown has no submit button: `make press cancel` closes it.")
    body = interaction_body(view_submission_payload(user=args.user, team=team, view=view_of(view)))
    asked = {"url": args.app_url, "headers": signed_headers(signing_secret(), body), "body": body.decode()}
    said = f"{args.user} pressed: {text_of(view['payload'].get('submit'))}"
    answer = _send(f"{args.slack_url.rstrip('/')}/submit/{urllib.parse.quote(str(view.get('view_id')))}", asked)
    outcome, status = str(answer.get("outcome")), int(answer.get("status") or 0)
    if outcome == "gone":
        raise TryError("The modal was closed meanwhile: nothing was submitted.")
    if outcome in ("failed", "refused"):
        print(said)
        if outcome == "failed":
            why = f"HTTP {status}" if status else f"nothing (does `make run` serve {args.app_url}?)"
            print(f"The app answered {why}: Slack says “We had some trouble connecting” and the modal stays.")
        else:
            print(f"Slack would refuse the app's answer, and the modal stays: {json.dumps(answer.get('answer'))}")
        return None
    if outcome == "updated":
        _await_worker(args.slack_url, str(view.get("view_id")))
    return Act(said, "", b"", team, notes=(SUBMITTED[outcome],))


def _await_worker(slack_url: str, view_id: str) -> None:
    """After an ``update`` answer, which says the submission is being worked on, wait a little for the app's
    next update of the view (its worker saying what came of it), so that it is what gets printed."""
    path = f"view/{urllib.parse.quote(view_id)}"
    answered = (read_standin(slack_url, path) or {}).get("hash")
    try:
        wait_until(
            lambda: (read_standin(slack_url, path) or {}).get("hash") != answered,
            WORKER_SECONDS,
            "",
            every=POLL_SECONDS,
        )
    except WaitTimedOut:
        pass  # the view as the ack left it is what the member sees


SUBMITTED = {
    "errors": "The app refused it: Slack shows each error under its input, and the modal stays.",
    "updated": "The app answered with a new content for the modal.",
    "pushed": "The app answered with a new view on top of the modal.",
    "closed": "The app took it: Slack closes the view.",
    "cleared": "The app took it: Slack closes the whole modal.",
}


def close(args: argparse.Namespace, team: str, view: dict[str, Any]) -> Act:
    """The member presses the modal's close button: the stand-in closes the view (the app is told only when it
    asked to be, with ``notify_on_close``)."""
    payload = view.get("payload", {})
    said = f"{args.user} pressed: {text_of(payload.get('close')) or 'Close'}"
    _post(args.slack_url, f"close/{view.get('view_id')}", {}, {})
    if not payload.get("notify_on_close"):
        return Act(said, "", b"", team, notes=("Nothing is sent to the app: Slack closes the view on its own.",))
    cleared = bool(payload.get("clear_on_close"))
    closed = view_closed_payload(user=args.user, team=team, view=view_of(view), cleared=cleared)
    return Act(said, args.app_url, interaction_body(closed), team)


def _rate(args: argparse.Namespace, team: str, top: dict[str, Any], values: list[str]) -> Act:
    if len(values) != 2 or not values[0].isdigit() or values[1] not in _SIGNS:
        raise TryError("Which rating? `make press rate N +` or `make press rate N -`, N counting from 1.")
    groups: dict[tuple[str, str], list[Control]] = {}
    for control in _controls(top):
        if control.option is not None and control.type in STATEFUL:
            groups.setdefault((control.block_id, control.action_id), []).append(control)
    ratings = [options for options in groups.values() if {_sign(o) for o in options} >= {"+", "−"}]
    number, sign = int(values[0]), _SIGNS[values[1]]
    if not 0 < number <= len(ratings):
        raise TryError(f"There is no rating {number}: the modal shown has {len(ratings)} (+ / − choices).")
    (option,) = [control for control in ratings[number - 1] if _sign(control) == sign]
    return fill(args, team, offer_of(option, top), top, [])


def _sign(control: Control) -> str | None:
    """The sign an option stands for: its value or its text, "+" or "−" (or "-"), alone or first."""
    for said in (str(control.value or ""), text_of((control.option or {}).get("text")).strip()):
        first = said.split(" ")[0] if said else ""
        if first in _SIGNS:
            return _SIGNS[first]
    return None


def _controls(view: dict[str, Any]) -> list[Control]:
    return controls(view.get("payload", {}).get("blocks") or [], view.get("state"))


def _named(word: str, control: Control) -> bool:
    if word == "pick":
        return control.type in ("multi_users_select", "users_select")
    if word == "date":
        return control.type == "datepicker"
    ids = f"{control.block_id} {control.action_id}".lower()
    return control.type == "plain_text_input" and _TEXTS.get(word, word) in ids


def _value(kind: str, element: dict[str, Any], values: list[str], label: str) -> Any:
    """What the member picks, chooses or types, as Slack keeps it: refused where Slack's client would not
    let them (not a user, not a date, more than the input takes)."""
    if kind in ("multi_users_select", "users_select"):
        users = [word.lstrip("@") for value in values for word in re.split(r"[\s,]+", value) if word]
        if not users or not all(USER_ID.fullmatch(user) for user in users):
            raise TryError(f"{label}: give Slack user ids, as in `make press pick U0DON U0MAELLE`.")
        most = int(element.get("max_selected_items") or 0) if kind == "multi_users_select" else 1
        if most and len(users) > most:
            raise TryError(f"{label}: Slack lets a member pick at most {most}.")
        return users if kind == "multi_users_select" else users[0]
    if kind == "datepicker":
        try:
            (typed,) = values
            return date.fromisoformat(typed).isoformat()
        except ValueError:
            raise TryError(f"{label}: give one date as YYYY-MM-DD, as in `make press date 2026-12-01`.") from None
    text = " ".join(values)
    longest = element.get("max_length")
    if isinstance(longest, int) and len(text) > longest:
        raise TryError(f"{label}: Slack lets a member type at most {longest} characters here ({len(text)} given).")
    return text or None  # an input left empty is sent as null


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(f"@{user}" for user in value)
    return "(empty)" if value is None else str(value)


def _nothing_more(word: str, values: list[str]) -> None:
    if values:
        raise TryError(f"`make press {word}` takes nothing after it.")


def _post(slack_url: str, path: str, offer: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    asked = {"block_id": offer.get("block_id"), "action_id": offer.get("action_id"), "entry": entry} if entry else {}
    answer = _send(f"{slack_url.rstrip('/')}/{path}", asked)
    if not answer.get("ok"):
        raise TryError(f"The modal shown changed or closed ({answer.get('error')}): run `make try ...` again.")
    return answer


def _send(url: str, asked: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        url, data=json.dumps(asked).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return dict(json.loads(response.read()))
    except urllib.error.HTTPError as error:
        try:
            return dict(json.loads(error.read()))
        except ValueError:
            return {"ok": False, "error": f"HTTP {error.code}"}
    except OSError as error:
        raise TryError(
            f"The Slack stand-in does not answer at {url} ({error}): start the app with `make run`."
        ) from error
