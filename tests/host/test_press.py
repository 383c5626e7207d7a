"""`make press N` and `make press home`: a press sent as Slack sends it, then what changed printed with its
controls numbered again; first against an app that answers at once, then against the app on the local host."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web import WebClient
from slack_sdk.webhook import WebhookClient

from interactions import settings as setting
from local import act
from local.slack_standin import SlackStandIn
from local.try_command import offer_controls
from tests.conftest import SIGNING_SECRET
from tests.host.conftest import ROOT, TEAM, App, new_user
from tests.sample_blocks import CLEAR, DAYS, SPAN, UNDO

# --- Pressing, against an app that answers as the real one does ------------------------------------------------


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


class FakeApp:
    """The app's Interactivity and Events endpoints, playing its worker at once: a press in a message replaces
    it through the response_url; in a modal or Home tab updates or publishes the view given the hash pressed;
    an opened Home tab is published. Each shows what was pressed and a button to press again."""

    def __init__(self, slack: SlackStandIn) -> None:
        self.slack = slack
        self.got: list[dict[str, Any]] = []  # each press and event, in order, once its signature checked out
        app = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if not SignatureVerifier(SIGNING_SECRET).is_valid_request(body, dict(self.headers)):
                    self.send_response(401)
                    self.end_headers()
                    return
                if self.path.endswith("/interactions"):
                    payload = json.loads(parse_qs(body.decode())["payload"][0])
                else:
                    payload = json.loads(body)
                app.got.append(payload)
                answer = app.answer(payload)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
                threading.Thread(target=app.act, args=(payload,)).start()  # after the ack, as the worker does

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/slack/{path}"

    def answer(self, payload: dict[str, Any]) -> bytes:
        """What the ack says: nothing, for a press or an event."""
        return b""

    def act(self, payload: dict[str, Any]) -> None:
        web = WebClient(token="xoxb-test", base_url=self.slack.api_url)
        if payload.get("type") == "event_callback":
            home = {"type": "home", "blocks": [section("Your dashboard"), {"type": "actions", "elements": [SPAN]}]}
            web.views_publish(
                user_id=payload["event"]["user"], view=home, hash=payload["event"].get("view", {}).get("hash")
            )
            return
        (action,) = payload["actions"]
        chosen = action.get("value") or action["selected_option"]["value"]
        blocks = [section(f"You pressed {chosen}"), {"type": "actions", "elements": [{**UNDO, "value": "again"}]}]
        if payload["container"]["type"] == "message":
            WebhookClient(payload["response_url"]).send_dict({"replace_original": True, "text": "x", "blocks": blocks})
        elif payload["view"]["type"] == "home":
            web.views_publish(
                user_id=payload["user"]["id"], view={"type": "home", "blocks": blocks}, hash=payload["view"]["hash"]
            )
        else:
            view = {"type": "modal", "title": {"type": "plain_text", "text": "Yours"}, "blocks": blocks}
            web.views_update(view_id=payload["view"]["id"], view=view, hash=payload["view"]["hash"])

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_app(slack: SlackStandIn, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeApp]:
    monkeypatch.setenv(setting.SIGNING_SECRET, SIGNING_SECRET)
    app = FakeApp(slack)
    yield app
    app.stop()


def press_args(app: FakeApp, user: str, folder: Path, *more: str) -> list[str]:
    urls = ["--app-url", app.url("interactions"), "--events-url", app.url("events"), "--slack-url", app.slack.url]
    return ["press", "--user", user, "--controls-dir", str(folder), *urls, "--timeout", "5", *more]


def test_a_press_in_a_message_replaces_it_and_offers_what_it_shows_now(
    fake_app: FakeApp, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    me = new_user()
    WebhookClient(fake_app.slack.response_url(me)).send_dict(
        {"text": "x", "blocks": [section("Got it!"), {"type": "actions", "elements": [UNDO]}]}
    )
    offer_controls([asdict(s) for s in fake_app.slack.shown(me)], me, "T0TEAM", tmp_path)
    capsys.readouterr()

    assert act.main(press_args(fake_app, me, tmp_path, "1")) == 0

    assert capsys.readouterr().out.splitlines() == [
        f"{me} pressed: Undo",
        "Only visible to you:",
        "  You pressed u1",
        "  [Undo]",
        "To press one: make press N",
        "  [1] Undo",
        "To press the same again, as a second click before Slack shows the change: make press again",
    ]
    (payload,) = fake_app.got
    assert payload["response_url"].startswith(f"{fake_app.slack.url}/hooks/{me}/message/0/")
    assert payload["team"]["id"] == "T0TEAM" and payload["actions"][0]["value"] == "u1"
    (shown,) = fake_app.slack.shown(me)
    assert shown.text() == "x\nYou pressed u1"


def test_a_press_in_a_modal_sends_the_view_with_its_current_hash(
    fake_app: FakeApp, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    me = new_user()
    web = WebClient(token="xoxb-test", base_url=fake_app.slack.api_url)
    view_id = web.views_open(
        trigger_id=fake_app.slack.trigger_id(me),
        view={"type": "modal", "title": {"type": "plain_text", "text": "Yours"}, "blocks": []},
    )["view"]["id"]
    modal = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Yours"},
        "blocks": [{"type": "actions", "elements": [SPAN, CLEAR]}],
    }
    current = web.views_update(view_id=view_id, view=modal)["view"]["hash"]
    offer_controls([asdict(s) for s in fake_app.slack.shown(me)], me, "T0TEAM", tmp_path)
    capsys.readouterr()

    assert act.main(press_args(fake_app, me, tmp_path, "3")) == 0

    printed = capsys.readouterr().out.splitlines()
    assert printed[:5] == [
        f"{me} pressed: Clear all my logs (asks to confirm)",
        "Slack asks: Clear all your logs?",
        "  It can't be undone.",
        "  [Clear all] [Cancel] → Clear all",
        "┌─ Modal: Yours",
    ]
    assert "│ You pressed u1" in printed and printed[-2] == "  [1] Undo"
    (payload,) = fake_app.got
    assert (payload["view"]["id"], payload["view"]["hash"]) == (view_id, current)
    shown = fake_app.slack.modal(view_id)
    assert shown is not None and shown.text() == "You pressed u1"


def test_the_home_tab_opens_and_its_menu_is_pressed(
    fake_app: FakeApp, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    me = new_user()
    assert act.main(press_args(fake_app, me, tmp_path, "--home")) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{me} opened the app's Home tab",
        "┌─ Home tab",
        "│ Your dashboard",
        "│ [Span: 30 days ▾]",
        "└─",
        "To press one: make press N",
        "  [1] Span: 7 days",
        "  [2] Span: 30 days (current)",
    ]
    assert act.main(press_args(fake_app, me, tmp_path, "1")) == 0
    assert "│ You pressed 7" in capsys.readouterr().out
    opened, chose = fake_app.got
    assert opened["event"]["type"] == "app_home_opened" and "view" not in opened["event"]
    assert chose["view"]["type"] == "home" and chose["actions"][0]["selected_option"] == DAYS[0]
    assert act.main(press_args(fake_app, me, tmp_path, "home")) == 0  # opened again: with the view it shows
    home = fake_app.slack.home(me)
    assert home is not None and fake_app.got[-1]["event"]["view"]["id"] == home.view_id


def test_a_press_says_what_is_wrong_when_there_is_nothing_to_press(
    fake_app: FakeApp, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    me = new_user()
    assert act.main(press_args(fake_app, me, tmp_path, "1")) == 2
    assert f"Nothing was tried yet as {me}" in capsys.readouterr().err

    WebhookClient(fake_app.slack.response_url(me)).send_dict(
        {"text": "x", "blocks": [{"type": "actions", "elements": [UNDO]}]}
    )
    offer_controls([asdict(s) for s in fake_app.slack.shown(me)], me, "T0TEAM", tmp_path)
    assert act.main(press_args(fake_app, me, tmp_path, "7")) == 2
    assert "There is no [7]: the last thing shown has [1] to [1]." in capsys.readouterr().err
    assert act.main(press_args(fake_app, me, tmp_path)) == 2
    assert "Which control?" in capsys.readouterr().err

    listed = (tmp_path / f"{me}.json").read_text()
    assert act.main(press_args(fake_app, me, tmp_path, "1")) == 0
    (tmp_path / f"{me}.json").write_text(listed)  # a number from the listing before that press
    assert act.main(press_args(fake_app, me, tmp_path, "1")) == 2
    assert "[1] is no longer shown (the message changed)" in capsys.readouterr().err
    assert len(fake_app.got) == 1  # only the press of a control shown went to the app


# --- `make try`, then `make press`, against the app on the local host ------------------------------------------


@dataclass
class Developer:
    """A developer at the terminal: `make try` and `make press` as one Slack user, against the local host."""

    app: App
    folder: Path
    capsys: pytest.CaptureFixture[str]
    user: str = field(default_factory=new_user)

    def args(self) -> list[str]:
        place = ["--slack-url", self.app.slack.url, "--controls-dir", str(self.folder), "--timeout", "20"]
        return ["--user", self.user, "--team", TEAM, *place]

    def try_(self, text: str) -> str:
        """`make try TEXT`: what it printed."""
        arguments = ["try", *self.args(), "--app-url", self.app.host.url("/api/slack/commands"), "--", text]
        assert act.main(arguments) == 0, self.app.host.log[-3000:]
        return self.capsys.readouterr().out

    def press(self, what: str) -> str:
        """`make press WHAT`: what it printed."""
        urls = ["--app-url", self.app.host.url("/api/slack/interactions")]
        urls += ["--events-url", self.app.host.url("/api/slack/events")]
        pressed = act.main(["press", *self.args(), *urls, *what.split()])
        printed = self.capsys.readouterr()
        assert pressed == 0, printed.out + printed.err + self.app.host.log[-3000:]
        return printed.out


def number_of(printed: str, label: str) -> str:
    """The number `make try` or `make press` printed a control with."""
    (number,) = re.findall(rf"^  \[(\d+)\] {re.escape(label)}$", printed, re.MULTILINE)
    return str(number)


@pytest.fixture
def developer(
    app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Developer:
    monkeypatch.setenv(setting.SIGNING_SECRET, SIGNING_SECRET)  # as the host has it
    return Developer(app, tmp_path, capsys)


def test_make_try_offers_undo_and_make_press_takes_the_log_back(developer: Developer) -> None:
    logged = developer.try_("@U0DON + Random Guy -")
    assert "Logged: @U0DON +, Random Guy −" in logged
    assert logged.endswith("To press one: make press N\n  [1] Undo\n")

    undone = developer.press("1")

    # That was the member's only log: nothing is left to count a percentage of.
    expected = "Undone. You have no interactions logged in the last 30 days."
    assert undone.startswith(f"{developer.user} pressed: Undo\nOnly visible to you:\n  {expected}")
    assert "Undone: @U0DON +, Random Guy −" in undone and "[1]" not in undone  # the same message, replaced
    (message,) = developer.app.slack.shown(developer.user)
    assert "Undone" in message.text()
    assert "No interactions logged in the last 30 days." in developer.try_("")


def test_a_menu_option_pressed_in_the_dashboard_modal_changes_what_it_shows(developer: Developer) -> None:
    developer.try_("Random Guy +")
    dashboard = developer.try_("")
    assert "┌─ Modal: " in dashboard and "[Span: 30 days ▾]" in dashboard

    changed = developer.press(number_of(dashboard, "Span: 7 days"))

    assert "┌─ Modal: " in changed and "[Span: 7 days ▾]" in changed and "Random Guy" in changed
    assert number_of(changed, "Span: 7 days (current)")
    modals = [shown for shown in developer.app.slack.shown(developer.user) if shown.kind == "modal"]
    assert len(modals) == 1  # updated in place


def test_make_press_home_shows_the_dashboard_on_the_home_tab_and_its_controls_work(developer: Developer) -> None:
    developer.try_("Random Guy +")
    home = developer.press("home")
    assert home.startswith(f"{developer.user} opened the app's Home tab\n┌─ Home tab\n")
    assert "Random Guy" in home and "[Span: 30 days ▾]" in home

    changed = developer.press(number_of(home, "Span: 90 days"))

    assert "┌─ Home tab" in changed and "[Span: 90 days ▾]" in changed
    shown = developer.app.slack.home(developer.user)
    assert shown is not None and "Random Guy" in shown.text()


def test_make_press_n_cancel_answers_the_dialog_cancel_and_nothing_is_cleared(developer: Developer) -> None:
    developer.try_("Random Guy +")
    dashboard = developer.try_("")
    clear = number_of(dashboard, "Clear all my logs (asks to confirm)")
    assert f"To answer Cancel when [{clear}] asks: make press {clear} cancel" in dashboard

    cancelled = developer.press(f"{clear} cancel")

    assert "  [Clear all] [Cancel] → Cancel" in cancelled and "Nothing was sent to the app" in cancelled
    assert "Random Guy" in developer.try_("")
    cleared = developer.press(number_of(developer.try_(""), "Clear all my logs (asks to confirm)"))
    assert "→ Clear all" in cleared and "Random Guy" not in developer.try_("")


def test_make_press_again_sends_the_undo_a_second_time_and_it_changes_nothing(developer: Developer) -> None:
    developer.try_("Random Guy +")
    developer.try_("@U0DON + Random Guy -")
    assert "make press again" in developer.press("1")

    again = developer.press("again")

    assert again.startswith(f"{developer.user} pressed again: Undo\n")
    assert "That log was already undone." in again
    assert "Random Guy" in developer.try_("") and "@U0DON" not in developer.try_("")


def test_make_try_export_says_where_the_file_is_and_it_reads_as_the_csv(developer: Developer) -> None:
    developer.try_("Random Guy +")

    exported = developer.try_("export")

    assert "Your export is in your messages with the app: 1 interaction" in exported
    (url,) = re.findall(r"^  curl -s (\S+)$", exported, re.MULTILINE)
    assert url.startswith(f"{developer.app.slack.url}/files/{developer.user}/F")
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.headers["Content-Type"].startswith("text/csv")
        assert "Random Guy" in response.read().decode()


def test_make_press_prints_what_it_shows_and_not_its_command_line(tmp_path: Path) -> None:
    (tmp_path / ".installed").touch()  # a venv already set up: make installs nothing
    env = {name: value for name, value in os.environ.items() if not name.startswith(("MAKE", "MFLAGS"))}
    pressed = subprocess.run(
        [shutil.which("make") or "make", "--no-print-directory", "press", "3", f"VENV={tmp_path}", "PY=echo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert pressed.returncode == 0, pressed.stderr
    assert "-m local.act press" in pressed.stdout  # what the press ran, here echoed by the stand-in program
    assert "echo -m local.act press" not in pressed.stdout  # make's own echo of the command line
