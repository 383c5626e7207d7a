"""The local Functions host as a developer runs it: ``python -m local.host`` in its own process, on free
ports, with settings in its environment (the environment wins over local.settings files), Azurite from the
session fixture and a Slack stand-in in this process. Tests talk to it over HTTP only."""

from __future__ import annotations

import json
import os
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from local.azurite import Azurite
from local.host_process import HostProcess, host_json
from local.slack_standin import Shown, SlackStandIn
from testkit.app_settings import app_settings
from testkit.slack_requests import command_form, signed_headers
from tests.conftest import PSEUDONYM_KEY, SIGNING_SECRET

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_APP = Path(__file__).resolve().parent / "sample_app"
TEAM = "T0TEAM"


@dataclass
class Hold:
    arrived: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    deliver: bool = True

    def release(self, deliver: bool) -> None:
        self.deliver = deliver
        self.released.set()


class HoldingSlack(SlackStandIn):
    """The stand-in, able to hold a user's next answer: the function sending it is then mid-invocation, its
    message taken from the queue and not yet deleted."""

    def __init__(self) -> None:
        super().__init__()
        self._holds: dict[str, Hold] = {}

    def hold_next_answer(self, user: str) -> Hold:
        hold = self._holds[user] = Hold()
        return hold

    def _record(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        parts = path.strip("/").split("/")
        hold = self._holds.pop(parts[1], None) if parts[0] == "hooks" and len(parts) > 1 else None
        if hold is not None:
            hold.arrived.set()
            hold.released.wait(30)
            if not hold.deliver:
                return 200, {}, {}  # lost with the host that sent it: never shown
        return super()._record(path, body)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


def http(url: str, method: str = "GET", body: bytes | None = None, headers: dict[str, str] | None = None) -> Reply:
    request = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return Reply(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, dict(error.headers), error.read())


@dataclass
class App:
    """The project's app behind a host process, and the Slack stand-in it answers through."""

    host: HostProcess
    slack: HoldingSlack

    def send(self, user: str, text: str, command: str = "/interactions", secret: str = SIGNING_SECRET) -> Reply:
        form = command_form(user, TEAM, command, text, self.slack.url)
        body = urllib.parse.urlencode(form).encode()
        return self.post(body, signed_headers(secret, body))

    def post(self, body: bytes, headers: dict[str, str]) -> Reply:
        return http(self.host.url("/api/slack/commands"), "POST", body, headers)

    def command(self, user: str, text: str) -> Shown:
        """Type ``/interactions text`` as ``user``; what Slack shows them in answer: the acknowledgement when
        it says something (help, a mistake), else what the worker answers."""
        before = len(self.slack.shown(user))
        reply = self.send(user, text)
        assert reply.status == 200, reply
        if reply.body:
            return Shown("message", json.loads(reply.body))
        shown = self.slack.wait_for(user, before + 1, timeout=15)
        assert len(shown) == before + 1, f"{shown}\n{self.host.log[-3000:]}"
        return shown[-1]


text_of = Shown.text  # everything the user can read in a message or modal


def new_user() -> str:
    """A Slack user id no other test uses: one host serves every test."""
    return "U" + uuid.uuid4().hex[:10].upper()


def unique_name() -> str:
    return "h" + uuid.uuid4().hex[:20]


def app_env(azurite: Azurite, slack: SlackStandIn, name: str) -> dict[str, str]:
    settings = app_settings(
        azurite.connection_string,
        slack,
        signing_secret=SIGNING_SECRET,
        pseudonym_key=PSEUDONYM_KEY,
        queue=name,
        table=name,
        bot_token="xoxb-test-token",  # views open a modal, as in a real workspace
    )
    return {**os.environ, **settings}


@pytest.fixture(scope="session")
def standin() -> Iterator[HoldingSlack]:
    server = HoldingSlack()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def fast_host_json(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's host.json, polling an empty queue at most every 200 ms so the tests don't wait."""
    return host_json(tmp_path_factory.mktemp("host-json"), maxPollingInterval="00:00:00.200")


@pytest.fixture(scope="session")
def app(
    azurite: Azurite, standin: HoldingSlack, fast_host_json: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[App]:
    env = app_env(azurite, standin, unique_name())
    host = HostProcess(env, tmp_path_factory.mktemp("app-host"), ("--host-json", str(fast_host_json))).start()
    yield App(host, standin)
    host.stop()
