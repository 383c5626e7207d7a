"""/interactions through the local host, as `make run` serves it: signed HTTP in, answers at the stand-in."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.parse

import pytest

from local.try_command import command_form
from tests.conftest import SIGNING_SECRET
from tests.host.conftest import ROOT, TEAM, App, http, new_user, text_of

pytestmark = pytest.mark.e2e

GOT_IT_50 = "Got it! You're 50% for positive interactions in the last 30 days."


def test_log_then_view_newest_first_and_filtered(app: App) -> None:
    me = new_user()
    first = app.command(me, "@U0DON +")
    assert first.kind == "message"
    assert first.payload["text"] == "Got it! You're 100% for positive interactions in the last 30 days."
    assert app.command(me, "Random Guy -").payload["text"] == GOT_IT_50

    listing = app.command(me, "")
    assert listing.kind == "modal"  # a bot token is set: views open a modal that the worker fills
    everything = text_of(listing)
    assert "Your interactions, the last 30 days" in everything
    assert "2 interactions: 1 `+`, 1 `−`, 50% positive" in everything
    assert everything.index("Random Guy") < everything.index("<@U0DON>")

    positive = text_of(app.command(me, "+"))
    assert "<@U0DON>" in positive and "Random Guy" not in positive
    negative = text_of(app.command(me, "90 -"))
    assert "Your negative interactions, the last 90 days" in negative
    assert "Random Guy" in negative and "<@U0DON>" not in negative


def test_person_and_time_totals(app: App) -> None:
    me = new_user()
    app.command(me, "@U0DON + Random Guy -")

    assert "<@U0DON> · 1 (1 `+`, 0 `−`) · 100% positive" in text_of(app.command(me, "90 person"))
    by_time = text_of(app.command(me, "time"))
    assert "by week" in by_time and "2 (1 `+`, 1 `−`) · 50% positive" in by_time


def test_clear_forgets_my_logs(app: App) -> None:
    me = new_user()
    app.command(me, "@U0DON +")

    assert app.command(me, "clear").payload["text"] == "Thanks! Your interaction logs are cleared."
    assert "No interactions logged in the last 3650 days." in text_of(app.command(me, "3650"))


def test_help(app: App) -> None:
    shown = text_of(app.command(new_user(), "help"))

    assert "/interactions @don + @Maelle + Random Guy -" in shown
    assert "/interactions clear" in shown


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("help clear", "`help` stands alone"),
        ("+ @U0DON", "`+` must follow the person it rates"),
        ("0", "from 1 to 3650"),
    ],
)
def test_text_not_understood_is_explained(app: App, text: str, complaint: str) -> None:
    me = new_user()
    shown = app.command(me, text)

    assert complaint in shown.payload["text"]
    assert "Usage: `/interactions @person +`" in shown.payload["text"]
    assert "No interactions logged" in text_of(app.command(me, ""))


def test_requests_not_signed_by_slack_get_401_and_nothing_else(app: App) -> None:
    me = new_user()
    body = urllib.parse.urlencode(command_form(me, TEAM, "/interactions", "@U0DON +", app.slack.url)).encode()

    assert app.post(body, {"Content-Type": "application/x-www-form-urlencoded"}).status == 401
    assert app.send(me, "@U0DON +", secret="someone-else").status == 401
    time.sleep(0.5)  # what a queued message would have taken to be answered
    assert app.slack.shown(me) == []


def test_other_commands_are_answered_in_the_ack(app: App) -> None:
    reply = app.send(new_user(), "x", command="/weather")

    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/json"
    assert b"This app answers `/interactions`" in reply.body


def test_unknown_routes_and_methods(app: App) -> None:
    assert http(app.host.url("/api/slack/nothing")).status == 404
    assert http(app.host.url("/slack/commands"), "POST", b"").status == 404
    wrong_method = http(app.host.url("/api/slack/commands"))
    assert wrong_method.status == 405
    assert wrong_method.headers["Allow"] == "POST"


def test_try_command_prints_what_the_user_was_shown(app: App) -> None:
    def try_command(*args: str) -> str:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "local.try_command",
                "--app-url",
                app.host.url("/api/slack/commands"),
                "--slack-url",
                app.slack.url,
                "--user",
                me,
                *args,
            ],
            cwd=ROOT,
            env={**app.host.env, "SLACK_SIGNING_SECRET": SIGNING_SECRET},
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    me = new_user()
    assert GOT_IT_50 in try_command("--", "@U0DON + Tom & Jerry <3 -")

    shown = try_command("--", "90 person")
    assert "┌─ Modal: Your interactions" in shown
    assert "@U0DON · 1 (1 `+`, 0 `−`) · 100% positive" in shown
    assert "Tom & Jerry <3 · 1 (0 `+`, 1 `−`)" in shown
    assert "<!date" not in shown and " UTC" in shown  # dates as their fallback text

    assert "This app answers `/interactions`" in try_command("--command", "/weather", "--", "x")


def test_the_log_says_what_ran_but_never_who_or_what_was_typed(app: App) -> None:
    me = new_user()
    done = "Executed 'Functions.process_command' (Succeeded"
    before = app.host.log.count(done)
    app.command(me, "@U0SECRETPAL + Zebulon Quartermaine -")
    app.command(me, "Zebulon Quartermaine person")

    log = app.host.wait_for_log(done, before + 2)
    assert "Executed 'Functions.slack_commands' (Succeeded" in log
    for secret in (me, "U0SECRETPAL", "Zebulon", TEAM, "/hooks/"):
        assert secret not in log
