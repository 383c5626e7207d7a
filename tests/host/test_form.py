"""`make shortcut`, then `make press` filling the form in and submitting it, as a member does in Slack: against
an app double that plays the log form's side (opens it from a shortcut, adds a rating per person picked,
refuses a form with nobody in it, takes one with somebody and says so by the view's id afterwards)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.web import WebClient

from interactions import settings as setting
from local import act
from local.slack_standin import SlackStandIn
from local.try_command import typed_after
from tests.conftest import SIGNING_SECRET
from tests.host.conftest import ROOT, new_user
from tests.host.test_press import FakeApp
from tests.sample_form import log_form, said


class FormApp(FakeApp):
    """The app's Interactivity Request URL, playing the form's side: a shortcut opens the form (a message
    shortcut with the message's author and mentions picked, and its day), a change of the people picked
    updates it with the view's hash, a submission is refused without anyone picked and otherwise answered
    with "Logging…", then updated by the view's id with what was logged, as the worker does."""

    def __init__(self, slack: SlackStandIn) -> None:
        super().__init__(slack)
        self.web = WebClient(token="xoxb-test", base_url=slack.api_url)

    def answer(self, payload: dict[str, Any]) -> bytes:
        if payload["type"] in ("shortcut", "message_action"):
            self.open(payload)  # in the ack: the trigger id lives 3 s
        return json.dumps(self.submitted(payload)).encode() if payload["type"] == "view_submission" else b""

    def act(self, payload: dict[str, Any]) -> None:
        if payload["type"] == "block_actions":
            self.repicked(payload)

    def open(self, payload: dict[str, Any]) -> None:
        picked, day = [], datetime.now(UTC).date()
        message = payload.get("message")
        if message is not None:
            mentioned = [
                element["user_id"]
                for block in message.get("blocks", [])
                for section in block["elements"]
                for element in section["elements"]
                if element["type"] == "user"
            ]
            picked = [*([message["user"]] if "user" in message else []), *mentioned]
            day = datetime.fromtimestamp(float(message["ts"]), UTC).date()
        self.web.views_open(trigger_id=payload["trigger_id"], view=log_form(picked, day.isoformat()))

    def repicked(self, payload: dict[str, Any]) -> None:
        (action,) = payload["actions"]
        view = payload["view"]
        day = view["state"]["values"]["date"]["date"]["selected_date"]
        self.web.views_update(view_id=view["id"], view=log_form(action["selected_users"], day), hash=view["hash"])

    def submitted(self, payload: dict[str, Any]) -> dict[str, Any]:
        values = payload["view"]["state"]["values"]
        people = values["people"]["people"]["selected_users"]
        if not people and not values["names"]["names"]["value"]:
            return {"response_action": "errors", "errors": {"people": "Pick someone, or name them below."}}
        ratings = [values[f"rating_{user}"]["rating"]["selected_option"] for user in people]
        logged = ", ".join(f"@{user} {(r or {}).get('value', '?')}" for user, r in zip(people, ratings, strict=True))
        names, note = values["names"]["names"]["value"], values["note"]["note"]["value"]
        text = f"Logged on {values['date']['date']['selected_date']}: {logged} {names or ''} ({note or 'no note'})"
        threading.Thread(target=self.logged, args=(payload["view"]["id"], text)).start()
        return {"response_action": "update", "view": said("Logging…")}

    def logged(self, view_id: str, text: str) -> None:
        """As the worker does, once the queue hands it the submission: after Slack showed the ack's answer."""
        self.slack.wait_until(lambda: "Logging…" in self.text_of(view_id), timeout=5)
        self.web.views_update(view_id=view_id, view=said(text))

    def text_of(self, view_id: str) -> str:
        shown = self.slack.modal(view_id)
        return shown.text() if shown is not None else ""


@pytest.fixture
def form_app(slack: SlackStandIn, monkeypatch: pytest.MonkeyPatch) -> Iterator[FormApp]:
    monkeypatch.setenv(setting.SIGNING_SECRET, SIGNING_SECRET)
    app = FormApp(slack)
    yield app
    app.stop()


class Member:
    def __init__(self, app: FormApp, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.app, self.folder, self.capsys, self.user = app, folder, capsys, new_user()

    def do(self, action: str, *words: str, status: int = 0) -> str:
        place = ["--user", self.user, "--team", "T0TEAM", "--slack-url", self.app.slack.url, "--timeout", "5"]
        place += ["--controls-dir", str(self.folder), "--app-url", self.app.url("interactions")]
        done = act.main([action, *place, *words])
        printed = self.capsys.readouterr()
        assert done == status, printed.out + printed.err
        return printed.out if status == 0 else printed.err


@pytest.fixture
def member(form_app: FormApp, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Member:
    return Member(form_app, tmp_path, capsys)


def test_the_shortcut_opens_the_form_and_make_press_fills_it_in_and_submits_it(member: Member) -> None:
    opened = member.do("shortcut")
    assert opened.splitlines()[:3] == [
        f"{member.user} used the shortcut: Log an interaction",
        "┌─ Modal: Log an interaction",
        "│ Who did you meet?",
    ]
    assert 'To fill it in: make press pick U0DON U0MAELLE | date 2026-12-01 | names "..." | note "..."' in opened
    assert "To press [Log]: make press submit; [Cancel]: make press cancel" in opened

    picked = member.do("press", "pick", "U0DON", "U0SAM")
    assert "│   [@U0DON, @U0SAM ▾]" in picked and "│ How was it with U0SAM?" in picked
    rated = member.do("press", "rate", "2", "-")
    assert "│   ( ) +  (•) −" in rated and "Slack keeps it in the modal" in rated
    member.do("press", "rate", "1", "+")
    member.do("press", "names", "Random Guy, Help Desk")
    member.do("press", "date", "2026-12-01")
    noted = member.do("press", "note", "met", "for", "coffee")
    assert "│   [✎ met for coffee]" in noted

    logged = member.do("press", "submit")

    assert "The app answered with a new content for the modal." in logged
    assert "Logged on 2026-12-01: @U0DON +, @U0SAM − Random Guy, Help Desk (met for coffee)" in logged
    shortcut, picking, submission = member.app.got
    assert shortcut["type"] == "shortcut" and shortcut["callback_id"] == "log_interaction"
    assert picking["type"] == "block_actions" and picking["actions"][0]["selected_users"] == ["U0DON", "U0SAM"]
    assert submission["type"] == "view_submission" and submission["view"]["callback_id"] == "log_form"


def test_a_form_refused_shows_the_error_under_its_input_and_cancel_closes_it(member: Member) -> None:
    member.do("shortcut")

    refused = member.do("press", "submit")

    assert "The app refused it: Slack shows each error under its input, and the modal stays." in refused
    assert "│   ⚠ Pick someone, or name them below." in refused
    closed = member.do("press", "cancel")
    assert "┌─ Modal: Log an interaction (closed)" in closed
    assert "has no modal open" in member.do("press", "submit", status=2)
    assert [payload["type"] for payload in member.app.got] == ["shortcut", "view_submission"]


def test_the_message_shortcut_opens_the_form_with_the_author_and_those_mentioned(member: Member) -> None:
    ts = "1764547200.000100"  # 2025-12-01, 00:00 UTC
    opened = member.do("shortcut", "--ts", ts, "message", "Lunch with @U0DON and @U0SAM")

    assert "│   [@U0MAELLE, @U0DON, @U0SAM ▾]" in opened and "│   [📅 2025-12-01]" in opened
    (payload,) = member.app.got
    assert payload["type"] == "message_action" and payload["callback_id"] == "log_from_message"
    message = payload["message"]
    assert (message["user"], message["ts"], message["text"]) == ("U0MAELLE", ts, "Lunch with <@U0DON> and <@U0SAM>")
    assert payload["trigger_id"].startswith(f"{member.user}.")


def test_a_message_an_app_posted_has_no_author(member: Member) -> None:
    opened = member.do("shortcut", "--from-app", "message")
    assert "│   [@U0DON, @U0SAM ▾]" in opened
    (payload,) = member.app.got
    assert "user" not in payload["message"] and payload["message"]["bot_id"]


def test_make_press_refuses_what_slack_would_not_let_a_member_do(member: Member) -> None:
    assert "has no modal open" in member.do("press", "pick", "U0DON", status=2)
    member.do("shortcut")
    assert "give Slack user ids" in member.do("press", "pick", "don", status=2)
    assert "give one date as YYYY-MM-DD" in member.do("press", "date", "2026-13-01", status=2)
    assert "at most 500 characters" in member.do("press", "note", "x" * 501, status=2)
    assert "There is no rating 1" in member.do("press", "rate", "1", "+", status=2)
    assert [payload["type"] for payload in member.app.got] == ["shortcut"]


def test_the_words_after_press_are_read_again_with_a_lone_minus_and_quoted_text_whole() -> None:
    typed = ["press", "rate", "1", "-", "names", '"Help, Desk", Random Guy']
    # A process with make's arguments, once it says it runs: the shell, which stays (more follows sleep).
    shell = ["sh", "-c", "echo running; sleep 30; :", "make", *typed]
    with subprocess.Popen(shell, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None and process.stdout.readline() == "running\n"
            # make's goals hold the words as the shell left them: a quote inside a quoted argument is gone.
            kept = ["rate", "1", "names", "Help,", "Desk,", "Random", "Guy"]
            assert typed_after(process.pid, "press", kept) == typed[1:]
            assert typed_after(process.pid, "press", ["other", "words"]) == ["other", "words"]
        finally:
            process.kill()


@pytest.mark.parametrize(
    ("goals", "ran"),
    [
        (["shortcut"], "-m local.act shortcut --user U0LOCALUSER --make-pid "),
        (["shortcut", "message", "Lunch", "with", "@U0DON"], " message Lunch with @U0DON"),
        (["press", "pick", "U0DON", "U0SAM"], "-m local.act press --user U0LOCALUSER --make-pid "),
        (["press", "submit"], " submit"),
    ],
)
def test_make_shortcut_and_make_press_run_what_they_say(tmp_path: Path, goals: list[str], ran: str) -> None:
    (tmp_path / ".installed").touch()  # a venv already set up: make installs nothing
    env = {name: value for name, value in os.environ.items() if not name.startswith(("MAKE", "MFLAGS"))}
    make = [shutil.which("make") or "make", "--no-print-directory", *goals, f"VENV={tmp_path}", "PY=echo"]
    done = subprocess.run(make, cwd=ROOT, env=env, capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    assert ran in done.stdout and "echo -m" not in done.stdout  # run, and silent about its command line
