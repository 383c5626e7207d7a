"""Presses, inputs that dispatch their changes, submissions, shortcuts and events are built as Slack documents
them (api.slack.com/reference/interaction-payloads/block-actions-payload, /views, /shortcuts,
/events/app_home_opened, /events/url_verification), and signed as Slack signs them."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_sdk.signature import SignatureVerifier

from testkit.slack_requests import (
    JSON_TYPE,
    block_actions_payload,
    event_body,
    interaction_body,
    message_action_payload,
    shortcut_payload,
    signed_headers,
    typed_message,
    url_verification_body,
    view_submission_payload,
)

SECRET = "test-signing-secret"
UNDO = {"type": "button", "text": {"type": "plain_text", "text": "Undo"}, "action_id": "undo", "value": "u1"}
OPTIONS = [{"text": {"type": "plain_text", "text": f"{d} days"}, "value": str(d)} for d in (7, 30)]
SPAN = {"type": "static_select", "action_id": "span", "options": OPTIONS, "initial_option": OPTIONS[1]}
FILTER = {"type": "static_select", "action_id": "filter", "options": OPTIONS[:1], "initial_option": OPTIONS[0]}
BLOCKS = [{"type": "actions", "block_id": "b1", "elements": [SPAN, FILTER]}]
VIEW = {"type": "modal", "title": {"type": "plain_text", "text": "Yours"}, "blocks": BLOCKS, "id": "V1", "hash": "h1"}


def test_a_press_in_a_message_comes_with_its_response_url_and_the_button() -> None:
    payload = block_actions_payload(
        user="U0ME", team="T0TEAM", block_id="b9", element=UNDO, response_url="http://slack/hooks/U0ME/message/0/x"
    )

    assert payload["type"] == "block_actions"
    assert payload["user"] == {"id": "U0ME", "team_id": "T0TEAM"}
    assert payload["team"] == {"id": "T0TEAM", "domain": "local"} and payload["enterprise"] is None
    assert payload["trigger_id"].startswith("U0ME.")
    assert payload["container"]["type"] == "message" and payload["container"]["is_ephemeral"] is True
    assert payload["response_url"] == "http://slack/hooks/U0ME/message/0/x" and "view" not in payload
    (action,) = payload["actions"]
    assert {k: action[k] for k in ("type", "action_id", "block_id", "value", "text")} == {
        "type": "button",
        "action_id": "undo",
        "block_id": "b9",
        "value": "u1",
        "text": UNDO["text"],
    }
    assert float(action["action_ts"]) > 0


def test_a_menu_choice_in_a_modal_comes_with_the_view_and_its_state() -> None:
    payload = block_actions_payload(
        user="U0ME", team="T0TEAM", block_id="b1", element=SPAN, option=OPTIONS[0], surface="modal", view=VIEW
    )

    assert payload["container"] == {"type": "view", "view_id": "V1"} and "response_url" not in payload
    (action,) = payload["actions"]
    assert (action["type"], action["selected_option"]) == ("static_select", OPTIONS[0])
    view = payload["view"]
    assert (view["id"], view["hash"], view["type"], view["blocks"], view["private_metadata"]) == (
        "V1",
        "h1",
        "modal",
        BLOCKS,
        "",
    )
    assert view["state"]["values"] == {
        "b1": {
            "span": {"type": "static_select", "selected_option": OPTIONS[0]},  # the choice just made
            "filter": {"type": "static_select", "selected_option": OPTIONS[0]},  # as it was
        }
    }


def test_a_grid_member_s_press_names_the_enterprise() -> None:
    payload = block_actions_payload(
        user="W0ME", team="T0TEAM", block_id="b", element=UNDO, response_url="u", enterprise_id="E0GRID"
    )
    assert payload["enterprise"]["id"] == "E0GRID"


@pytest.mark.parametrize(
    "wrong",
    [
        {"element": SPAN, "response_url": "u"},  # a menu's press without the option chosen
        {"element": UNDO},  # a message's press without its response_url
        {"element": UNDO, "surface": "home", "view": {"id": "V1"}},  # a view's without its hash
    ],
)
def test_a_press_slack_would_never_send_is_not_built(wrong: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"give|comes with"):
        block_actions_payload(user="U0ME", team="T0TEAM", block_id="b", **wrong)


def test_the_interaction_body_is_a_form_with_the_payload_as_json_and_is_signed_as_slack_signs() -> None:
    payload = block_actions_payload(user="U0ME", team="T", block_id="b", element=UNDO, response_url="u")
    body = interaction_body(payload)

    assert json.loads(parse_qs(body.decode())["payload"][0]) == payload
    assert SignatureVerifier(SECRET).is_valid_request(body, signed_headers(SECRET, body))


def test_app_home_opened_is_an_event_callback_with_the_home_view_when_there_is_one() -> None:
    body = event_body("T0TEAM", "U0ME", "Ev1", event_time=1700000000)
    event = json.loads(body)

    assert (event["type"], event["team_id"], event["event_id"], event["event_time"]) == (
        "event_callback",
        "T0TEAM",
        "Ev1",
        1700000000,
    )
    assert {k: event["event"][k] for k in ("type", "user", "channel", "tab")} == {
        "type": "app_home_opened",
        "user": "U0ME",
        "channel": "DU0ME",
        "tab": "home",
    }
    assert "view" not in event["event"] and "authorizations" not in event
    with_view = json.loads(event_body("T0TEAM", "U0ME", "Ev2", tab="messages", view={"id": "VH1", "hash": "h"}))
    assert (with_view["event"]["tab"], with_view["event"]["view"]["id"]) == ("messages", "VH1")
    headers = signed_headers(SECRET, body, content_type=JSON_TYPE)
    assert headers["Content-Type"] == "application/json"
    assert SignatureVerifier(SECRET).is_valid_request(body, headers)


def test_url_verification_carries_the_challenge() -> None:
    assert json.loads(url_verification_body("c-123")) == {
        "token": "local-verification-token",
        "challenge": "c-123",
        "type": "url_verification",
    }


PEOPLE = {"type": "multi_users_select", "action_id": "people"}
NOTE = {"type": "plain_text_input", "action_id": "note"}
FORM = {
    **VIEW,
    "blocks": [
        {"type": "input", "block_id": "who", "dispatch_action": True, "label": UNDO["text"], "element": PEOPLE},
        {"type": "input", "block_id": "why", "dispatch_action": True, "label": UNDO["text"], "element": NOTE},
    ],
    "state": {"values": {"why": {"note": {"type": "plain_text_input", "value": "typed before"}}}},
}


def test_an_input_that_dispatches_its_change_sends_it_with_the_views_whole_state() -> None:
    picked = block_actions_payload(
        user="U0ME", team="T0TEAM", block_id="who", element=PEOPLE, filled=["U0DON"], surface="modal", view=FORM
    )
    entered = block_actions_payload(
        user="U0ME", team="T0TEAM", block_id="why", element=NOTE, filled="met", surface="modal", view=FORM
    )

    (action,) = picked["actions"]
    assert (action["type"], action["block_id"], action["selected_users"]) == ("multi_users_select", "who", ["U0DON"])
    assert picked["view"]["state"]["values"] == {
        "who": {"people": {"type": "multi_users_select", "selected_users": ["U0DON"]}},
        "why": {"note": {"type": "plain_text_input", "value": "typed before"}},
    }
    assert entered["actions"][0]["value"] == "met"
    assert entered["view"]["state"]["values"]["why"]["note"]["value"] == "met"
    assert (picked["view"]["id"], picked["view"]["hash"]) == ("V1", "h1")


def test_a_submission_carries_the_view_its_state_and_no_response_url() -> None:
    payload = view_submission_payload(user="U0ME", team="T0TEAM", view={**FORM, "callback_id": "log_form"})

    assert payload["type"] == "view_submission" and payload["trigger_id"].startswith("U0ME.")
    assert payload["user"]["id"] == "U0ME" and payload["team"]["id"] == "T0TEAM"
    assert (payload["view"]["id"], payload["view"]["hash"], payload["view"]["callback_id"]) == ("V1", "h1", "log_form")
    assert payload["view"]["state"] == FORM["state"] and payload["response_urls"] == []
    with pytest.raises(ValueError, match="id and hash"):
        view_submission_payload(user="U0ME", team="T0TEAM", view={"type": "modal", "blocks": []})


def test_a_global_shortcut_has_no_channel_and_a_message_shortcut_has_the_message() -> None:
    shortcut = shortcut_payload(user="U0ME", team="T0TEAM", callback_id="log_interaction")
    text, blocks = typed_message("Lunch with @U0DON & co")
    message = message_action_payload(
        user="U0ME",
        team="T0TEAM",
        callback_id="log_from_message",
        text=text,
        author="U0MAELLE",
        ts="1764547200.000100",
        blocks=blocks,
        response_url="http://slack/hooks/U0ME/x",
    )
    from_app = message_action_payload(
        user="U0ME", team="T0TEAM", callback_id="c", text="x", author=None, ts="1.0", response_url="http://slack/x"
    )

    assert (shortcut["type"], shortcut["callback_id"]) == ("shortcut", "log_interaction")
    assert "channel" not in shortcut and "message" not in shortcut and shortcut["trigger_id"].startswith("U0ME.")
    assert (message["type"], message["message_ts"]) == ("message_action", "1764547200.000100")
    assert message["message"]["text"] == "Lunch with <@U0DON> &amp; co" and message["message"]["user"] == "U0MAELLE"
    (section,) = message["message"]["blocks"][0]["elements"]
    assert [e.get("user_id") or e["text"] for e in section["elements"]] == ["Lunch with ", "U0DON", " & co"]
    assert "user" not in from_app["message"] and from_app["message"]["bot_id"]
