"""manifest.yml, which a workspace admin pastes into Slack: every request URL is one the app serves, the Home
tab and its event are on, and the app asks for no scope it does not use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.e2e.conftest import FUNCTIONS

MANIFEST: dict[str, Any] = yaml.safe_load((Path(__file__).parents[2] / "manifest.yml").read_text(encoding="utf-8"))
HOST = "https://YOUR-FUNCTION-APP.azurewebsites.net"


def routes() -> set[str]:
    return {f"{HOST}/api/slack/{name}" for name in ("commands", "interactions", "events")}


def test_every_request_url_is_a_route_the_app_serves() -> None:
    assert {"slack_commands", "slack_interactions", "slack_events"} <= set(FUNCTIONS)  # at those routes: e2e
    commands = {command["url"] for command in MANIFEST["features"]["slash_commands"]}
    settings = MANIFEST["settings"]
    used = commands | {settings["interactivity"]["request_url"], settings["event_subscriptions"]["request_url"]}
    assert used == routes()


def test_the_home_tab_and_its_event_are_on_and_buttons_reach_the_app() -> None:
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True
    assert MANIFEST["settings"]["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True


def test_only_the_scopes_the_app_uses() -> None:
    assert MANIFEST["oauth_config"]["scopes"]["bot"] == ["commands", "im:write", "files:write"]
    assert all(command["should_escape"] is True for command in MANIFEST["features"]["slash_commands"])
