"""/interactions through the local host, as `make run` serves it: signed HTTP in, answers at the stand-in."""

from __future__ import annotations

import subprocess
import sys
import urllib.parse

import pytest

from interactions import settings as setting
from testkit.slack_requests import command_form
from tests.conftest import SIGNING_SECRET
from tests.host.conftest import ROOT, TEAM, App, http, new_user, text_of

pytestmark = pytest.mark.e2e

GOT_IT_50 = "Got it! You're 50% for positive interactions in the last 30 days."


def test_a_log_is_answered_and_a_view_fills_its_modal_through_the_host(app: App) -> None:
    me = new_user()
    assert app.command(me, "@U0DON + Random Guy -").payload["text"] == GOT_IT_50

    listing = app.command(me, "90 person")
    assert listing.kind == "modal"  # a bot token is set: the ack opens a modal that the worker fills
    assert "<@U0DON> · 1 (1 +, 0 −) · 100% positive" in text_of(listing)


def test_requests_not_signed_by_slack_get_401_and_nothing_else(app: App) -> None:
    me = new_user()
    body = urllib.parse.urlencode(command_form(me, TEAM, "/interactions", "@U0DON +", app.slack.url)).encode()

    assert app.post(body, {"Content-Type": "application/x-www-form-urlencoded"}).status == 401
    assert app.send(me, "@U0DON +", secret="someone-else").status == 401
    # A signed command sent after them is answered; had either been queued, its answer would come too.
    assert (
        app.command(me, "Random Guy -").payload["text"]
        == "Got it! You're 0% for positive interactions in the last 30 days."
    )
    assert len(app.slack.shown(me)) == 1


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
                "local.act",
                "try",
                "--app-url",
                app.host.url("/api/slack/commands"),
                "--slack-url",
                app.slack.url,
                "--user",
                me,
                *args,
            ],
            cwd=ROOT,
            env={**app.host.env, setting.SIGNING_SECRET: SIGNING_SECRET},
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
    assert "@U0DON · 1 (1 +, 0 −) · 100% positive" in shown  # as Slack renders it: no code marks
    assert "Tom & Jerry <3 · 1 (0 +, 1 −)" in shown
    assert "<!date" not in shown and "last Today" in shown  # a date only, where Slack shows one

    assert "This app answers /interactions and /interaction only." in try_command("--command", "/weather", "--", "x")


def test_the_log_says_what_ran_but_never_who_or_what_was_typed(app: App) -> None:
    me = new_user()
    done = "Executed 'Functions.process_queued_message' (Succeeded"
    before = app.host.log.count(done)
    app.command(me, "@U0SECRETPAL + Zebulon Quartermaine -")
    app.command(me, "Zebulon Quartermaine person")  # a mistake, answered by the acknowledgement
    app.command(me, "90 person")  # a view, which the worker fills with the names

    log = app.host.wait_for_log(done, before + 2)
    assert "Executed 'Functions.slack_commands' (Succeeded" in log
    for secret in (me, "U0SECRETPAL", "Zebulon", TEAM, "/hooks/"):
        assert secret not in log
