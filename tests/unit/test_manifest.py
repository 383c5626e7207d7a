"""manifest.yml, which a workspace admin pastes into Slack: every request URL is one the app serves, the Home
tab and its event are on, both shortcuts reach the app by the callback ids it answers, and the app asks for no
scope it does not use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from interactions.slack import actions
from local.host.config import HostConfig
from testkit.functions import http_routes

ROOT = Path(__file__).parents[2]
MANIFEST: dict[str, Any] = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
HOST = "https://YOUR-FUNCTION-APP.azurewebsites.net"


def served() -> dict[str, str]:
    """The URL of each of the app's HTTP functions, by name: its route under host.json's prefix."""
    prefix = HostConfig.load(ROOT / "host.json").route_prefix
    return {name: "/".join(part for part in (HOST, prefix, route) if part) for name, route in http_routes().items()}


def test_every_request_url_is_a_route_the_app_serves() -> None:
    urls = served()
    settings = MANIFEST["settings"]
    assert {command["url"] for command in MANIFEST["features"]["slash_commands"]} == {urls["slack_commands"]}
    assert settings["interactivity"]["request_url"] == urls["slack_interactions"]
    assert settings["event_subscriptions"]["request_url"] == urls["slack_events"]
    assert set(urls) == {"slack_commands", "slack_interactions", "slack_events"}  # no HTTP function left out


def test_the_home_tab_and_its_event_are_on_and_buttons_reach_the_app() -> None:
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True
    assert MANIFEST["settings"]["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True


def test_only_the_scopes_the_app_uses() -> None:
    assert MANIFEST["oauth_config"]["scopes"]["bot"] == ["commands", "im:write", "files:write"]
    assert all(command["should_escape"] is True for command in MANIFEST["features"]["slash_commands"])


def test_both_shortcuts_are_declared_with_the_callback_ids_the_app_answers() -> None:
    declared = {item["type"]: item for item in MANIFEST["features"]["shortcuts"]}
    assert len(declared) == len(MANIFEST["features"]["shortcuts"]) == 2
    assert declared["global"]["callback_id"] == "log_interaction" == actions.LOG_SHORTCUT
    assert declared["message"]["callback_id"] == "log_from_message" == actions.MESSAGE_SHORTCUT
    assert all(item["name"] == "Log an interaction" and item["description"] for item in declared.values())
