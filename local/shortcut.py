"""Use one of the app's shortcuts as a Slack user would: what ``make shortcut`` sends (``local.act`` prints
what the app then shows, as the form the shortcut opens).

    make shortcut                                     # the global shortcut, from Slack's shortcuts menu
    make shortcut message                             # the message shortcut, on a sample message
    make shortcut message Lunch with @U0DON and @U0MAELLE   # ... on a message of this text
    python -m local.act shortcut [--user U0LOCALUSER] [--team T0LOCALTEAM] [--app-url URL] [--author USER |
                                 --from-app] [--ts TS] [--callback-id ID] [global | message [TEXT]]

A shortcut is sent as Slack sends it to the Interactivity Request URL: a signed ``shortcut`` payload (a global
shortcut: no channel, no message), or a ``message_action`` one with the message it was used on: its text as
Slack keeps it (``@U123`` typed becomes the mention ``<@U123>``), its rich text block, its ``ts`` and its
author (``--from-app``: a message an app posted, which has no author). Both carry a trigger id, with which the
app opens its modal.
"""

from __future__ import annotations

import argparse
import time
import uuid

from interactions.slack import actions
from local.try_command import USER_ID, Act, TryError, typed_after
from testkit.slack_requests import interaction_body, message_action_payload, shortcut_payload, typed_message

DESCRIPTION = (
    "Use the app's global shortcut (`global`, the default), or its message shortcut on a message (`message`, "
    "then the message's text), as a Slack user would; print what the app shows."
)
DEFAULT_INTERACTIONS_URL = "http://localhost:7071/api/slack/interactions"
GLOBAL_SHORTCUT, MESSAGE_SHORTCUT = actions.LOG_SHORTCUT, actions.MESSAGE_SHORTCUT
SAMPLE_AUTHOR = "U0MAELLE"
SAMPLE_MESSAGE = "Thanks @U0DON and @U0SAM for the coffee this morning!"


def add_arguments(parse: argparse.ArgumentParser) -> None:
    parse.add_argument("what", nargs="*", help="`global` (the default), or `message` then the message's text")
    parse.add_argument("--app-url", default=DEFAULT_INTERACTIONS_URL, help="the Interactivity Request URL")
    parse.add_argument("--callback-id", help="the shortcut's callback id (default: the one manifest.yml gives it)")
    parse.add_argument("--author", default=SAMPLE_AUTHOR, help=f"who posted the message (default: {SAMPLE_AUTHOR})")
    parse.add_argument("--from-app", action="store_true", help="the message was posted by an app: it has no author")
    parse.add_argument("--ts", help="the message's ts, as Slack writes it: 1764950400.000100 (default: now)")
    parse.add_argument(
        "--make-pid", type=int, metavar="PID", help="the words are what follows `shortcut` on this make's command line"
    )


def prepare(args: argparse.Namespace, _before: object) -> Act:
    """The shortcut used, as Slack posts it to the app."""
    what = [str(word) for word in args.what]
    if args.make_pid is not None:
        what = typed_after(args.make_pid, "shortcut", what)
    if what in ([], ["global"]):
        payload = shortcut_payload(user=args.user, team=args.team, callback_id=args.callback_id or GLOBAL_SHORTCUT)
        return Act(
            f"{args.user} used the shortcut: Log an interaction", args.app_url, interaction_body(payload), args.team
        )
    if what[0] != "message":
        raise TryError("Which shortcut? `make shortcut` (the global one) or `make shortcut message [TEXT]`.")
    if not args.from_app and not USER_ID.fullmatch(args.author):
        raise TryError(f"--author must be a Slack user id such as {SAMPLE_AUTHOR} (or --from-app).")
    typed = " ".join(what[1:]) or SAMPLE_MESSAGE
    ts = args.ts or f"{time.time():.6f}"
    try:
        float(ts)
    except ValueError:
        raise TryError(
            "--ts is a message's ts as Slack writes it: seconds since 1970, as in 1764950400.000100."
        ) from None
    text, blocks = typed_message(typed)
    payload = message_action_payload(
        user=args.user,
        team=args.team,
        callback_id=args.callback_id or MESSAGE_SHORTCUT,
        text=text,
        author=None if args.from_app else args.author,
        ts=ts,
        blocks=blocks,
        response_url=f"{args.slack_url.rstrip('/')}/hooks/{args.user}/{uuid.uuid4().hex}",
    )
    by = "an app" if args.from_app else f"@{args.author}"
    said = f"{args.user} used the message shortcut Log an interaction on a message by {by}: {typed}"
    return Act(said, args.app_url, interaction_body(payload), args.team)
