"""A cold worker's first acknowledgement loads only what the ack needs: Slack's 3 seconds are shared
with the cold start, so no Table Storage SDK and no Block Kit on that path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

import pytest

from interactions import settings as setting
from interactions.slack import actions
from interactions.storage_account import CONNECTION
from local.azurite import Azurite, Tls
from local.identity_standin import IdentityStandIn
from testkit.app_settings import keyless_settings
from testkit.slack_requests import block_actions_payload, command_form, event_body, interaction_body
from tests.conftest import PSEUDONYM_KEY, SIGNING_SECRET
from tests.e2e.conftest import signed_headers

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
FIRST_ACK = """
import json, sys
import azure.functions as func
import function_app

name, path, body, headers = json.loads(sys.stdin.read())
(ack,) = [f.get_user_function() for f in function_app.app.get_functions() if f.get_function_name() == name]
response = ack(func.HttpRequest("POST", f"http://localhost/api/{path}", headers=headers, body=body.encode()))
answer = {"status": response.status_code, "body": response.get_body().decode()}
print(json.dumps({**answer, "modules": sorted(sys.modules)}))
"""


def first_ack(env: dict[str, str], request: tuple[str, str, str] | None = None) -> list[str]:
    """Acknowledge one signed request in a fresh interpreter, a log unless ``request`` (function, route,
    body) says otherwise; the modules it loaded."""
    form = command_form("U0ME", "T0TEAM", "/interactions", "<@U0DON> + Random Guy -", "https://x", as_typed=False)
    # Where Slack's answers go: the worker never runs here, so nothing is sent there.
    body = urllib.parse.urlencode({**form, "response_url": "https://hooks.slack.com/commands/T0TEAM/1/x"})
    name, path, body = request or ("slack_commands", "slack/commands", body)
    run = subprocess.run(
        [sys.executable, "-c", FIRST_ACK],
        input=json.dumps([name, path, body, signed_headers(body.encode())]),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, setting.SIGNING_SECRET: SIGNING_SECRET, setting.PSEUDONYM_KEY: PSEUDONYM_KEY, **env},
        check=True,
    )
    result = json.loads(run.stdout)
    assert (result["status"], result["body"]) == (200, ""), result["body"]  # queued: nothing to apologise for
    loaded: list[str] = result["modules"]
    assert "azure.storage.queue" in loaded  # the ack did queue the command
    return loaded


def heavy(loaded: list[str]) -> list[str]:
    return [m for m in loaded if m.startswith(("azure.data.tables", "slack_sdk.models", "slack_sdk.web"))]


# What only presses, the dashboard or a refusal's words need: a queued command's ack loads none of it.
PRESS_AND_DASHBOARD = (
    "interactions.dashboard",
    "interactions.presses",
    "interactions.reports",
    "interactions.slack.actions",
    "interactions.slack.dashboard",
    "interactions.slack.texts",
)
# What only the log form needs: loaded by `/interactions log`, its shortcuts and its own payloads alone.
LOG_FORM = ("interactions.log_form", "interactions.slack.log_form")


@pytest.mark.parametrize("bot_token", ["", "xoxb-modals-enabled"])
def test_the_first_ack_of_a_cold_worker_loads_no_table_sdk_and_no_block_kit(
    azurite: Azurite, unique_name: str, bot_token: str
) -> None:
    loaded = first_ack(
        {
            CONNECTION: azurite.connection_string,
            setting.QUEUE: unique_name,
            setting.BOT_TOKEN: bot_token,
        }
    )
    assert not heavy(loaded)
    assert not [m for m in loaded if m.startswith("azure.identity")]  # no identity configured, none loaded
    assert not [m for m in loaded if m in PRESS_AND_DASHBOARD]
    assert not [m for m in loaded if m in LOG_FORM]
    assert "regex" not in loaded  # names of at most 80 code points are counted without it


def test_the_first_ack_of_a_press_or_an_event_loads_no_table_sdk_and_no_block_kit(
    azurite: Azurite, unique_name: str
) -> None:
    undo = {
        "type": "button",
        "action_id": actions.UNDO,
        "text": {"type": "plain_text", "text": "Undo"},
        "value": actions.undo_value(actions.UndoTarget("c0", datetime.now(UTC), 1, "0123456789abcdef")),
    }
    press = block_actions_payload(
        user="U0ME", team="T0TEAM", block_id="b", element=undo, response_url="https://hooks.slack.com/actions/T/1/x"
    )
    settings = {CONNECTION: azurite.connection_string, setting.QUEUE: unique_name}
    for request in [
        ("slack_interactions", "slack/interactions", interaction_body(press).decode()),
        ("slack_events", "slack/events", event_body("T0TEAM", "U0ME", "Ev0COLD").decode()),
    ]:
        loaded = first_ack({**settings, setting.BOT_TOKEN: "xoxb-home-enabled"}, request)
        assert not heavy(loaded), request[0]
        assert not [m for m in loaded if m in LOG_FORM], request[0]


def test_the_keyless_first_ack_loads_the_identity_sdk_and_still_no_table_sdk(
    oauth_azurite: Azurite, tls: Tls, unique_name: str
) -> None:
    identity = IdentityStandIn().start()
    try:
        loaded = first_ack(
            {
                **keyless_settings(
                    oauth_azurite.service_uri("queue"), oauth_azurite.service_uri("table"), identity.client_id
                ),
                "REQUESTS_CA_BUNDLE": str(tls.certificate),
                setting.QUEUE: unique_name,
                setting.BOT_TOKEN: "",
                **identity.environment(),
            }
        )
    finally:
        identity.stop()
    assert "azure.identity" in loaded
    assert not heavy(loaded)
    assert identity.token_requests == 1
