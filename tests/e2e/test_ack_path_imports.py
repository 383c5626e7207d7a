"""A cold worker's first acknowledgement loads only what the ack needs: Slack's 3 seconds are shared
with the cold start, so no Table Storage SDK and no Block Kit on that path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

from local.azurite import Azurite
from tests.conftest import PSEUDONYM_KEY, SIGNING_SECRET
from tests.e2e.conftest import signed_headers

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
FIRST_ACK = """
import json, sys
import azure.functions as func
import function_app

body, headers = json.loads(sys.stdin.read())
(ack,) = [f.get_user_function() for f in function_app.app.get_functions() if f.get_function_name() == "slack_commands"]
response = ack(func.HttpRequest("POST", "http://localhost/api/slack/commands", headers=headers, body=body.encode()))
print(json.dumps({"status": response.status_code, "modules": sorted(sys.modules)}))
"""


@pytest.mark.parametrize("bot_token", ["", "xoxb-modals-enabled"])
def test_the_first_ack_of_a_cold_worker_loads_no_table_sdk_and_no_block_kit(
    azurite: Azurite, unique_name: str, bot_token: str
) -> None:
    body = urllib.parse.urlencode(
        {
            "command": "/interactions",
            "text": "<@U0DON> + Random Guy -",
            "user_id": "U0ME",
            "team_id": "T0TEAM",
            "response_url": "https://hooks.slack.com/commands/T0TEAM/1/x",
        }
    )
    env = {
        **os.environ,
        "AzureWebJobsStorage": azurite.connection_string,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "INTERACTIONS_PSEUDONYM_KEY": PSEUDONYM_KEY,
        "INTERACTIONS_QUEUE": unique_name,
        "SLACK_BOT_TOKEN": bot_token,
    }

    run = subprocess.run(
        [sys.executable, "-c", FIRST_ACK],
        input=json.dumps([body, signed_headers(body.encode())]),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=True,
    )

    result = json.loads(run.stdout)
    assert result["status"] == 200
    loaded = result["modules"]
    assert "azure.storage.queue" in loaded  # the ack did queue the command
    assert not [m for m in loaded if m.startswith(("azure.data.tables", "slack_sdk.models", "slack_sdk.web"))]
