"""The Slack stand-in plays Slack where the app's interactivity depends on it: view hashes, each user's Home
tab, a press's response_url replacing or removing its message, and Slack's limits, rich text included."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import WebClient
from slack_sdk.webhook import WebhookClient

from local.block_kit import Control
from local.slack_standin import HASH_CONFLICT, Shown, SlackStandIn
from tests.sample_blocks import SPAN, UNDO

ME, OTHER = "U0ME", "U0OTHER"
NAMES: dict[str, Any] = {
    "type": "rich_text",
    "elements": [
        {
            "type": "rich_text_section",
            "elements": [
                {"type": "text", "text": "Logged: "},
                {"type": "user", "user_id": "U0DON"},
                {"type": "text", "text": " +, *Tom* & `Jerry` −"},
            ],
        },
        {
            "type": "rich_text_list",
            "style": "bullet",
            "elements": [
                {
                    "type": "rich_text_section",
                    "elements": [
                        {
                            "type": "date",
                            "timestamp": 1700000000,
                            "format": "{date_short_pretty} {time}",
                            "fallback": "2023-11-14 22:13 UTC",
                        },
                        {"type": "text", "text": " · Random Guy −"},
                    ],
                }
            ],
        },
    ],
}


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def home(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"type": "home", "blocks": list(blocks)}


def text_of(shown: Shown | None) -> str:
    assert shown is not None, "nothing is shown there"
    return shown.text()


def modal(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"type": "modal", "title": {"type": "plain_text", "text": "Yours"}, "blocks": list(blocks)}


@pytest.fixture(scope="module")
def server() -> Iterator[SlackStandIn]:
    standin = SlackStandIn().start()
    yield standin
    standin.stop()


@pytest.fixture
def slack(server: SlackStandIn) -> SlackStandIn:
    server.reset()
    return server


def web(slack: SlackStandIn) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack.api_url)  # the stand-in takes any token


def answer(url: str, **body: Any) -> int:
    return WebhookClient(url).send_dict(body).status_code


def get(slack: SlackStandIn, path: str) -> Any:
    with urllib.request.urlopen(f"{slack.url}/{path}", timeout=5) as response:
        return json.loads(response.read())


# --- Views and their hashes ---------------------------------------------------------------------------------


def test_a_modal_updated_with_a_stale_hash_is_refused_and_left_as_it_was(slack: SlackStandIn) -> None:
    opened = web(slack).views_open(trigger_id=slack.trigger_id(ME), view=modal(section("loading")))
    view_id, first_hash = opened["view"]["id"], opened["view"]["hash"]
    updated = web(slack).views_update(view_id=view_id, view=modal(section("first")), hash=first_hash)
    assert updated["view"]["id"] == view_id and updated["view"]["hash"] != first_hash

    with pytest.raises(SlackApiError) as refused:
        web(slack).views_update(view_id=view_id, view=modal(section("stale")), hash=first_hash)

    assert refused.value.response["error"] == "hash_conflict"
    shown = slack.modal(view_id)
    assert shown is not None and shown.text() == "first" and shown.hash == updated["view"]["hash"]
    assert [(c.method, c.status) for c in slack.calls()][-1] == ("views.update", HASH_CONFLICT)
    web(slack).views_update(view_id=view_id, view=modal(section("without a hash")))  # the last word wins
    assert text_of(slack.modal(view_id)) == "without a hash"


def test_each_user_has_one_home_tab_of_their_own(slack: SlackStandIn) -> None:
    mine = web(slack).views_publish(user_id=ME, view=home(section("mine")))
    theirs = web(slack).views_publish(user_id=OTHER, view=home(section("theirs")))
    again = web(slack).views_publish(user_id=ME, view=home(section("mine, again")), hash=mine["view"]["hash"])

    assert again["view"]["id"] == mine["view"]["id"] != theirs["view"]["id"]
    assert again["view"]["hash"] != mine["view"]["hash"]
    assert text_of(slack.home(ME)) == "mine, again"
    assert text_of(slack.home(OTHER)) == "theirs"
    assert slack.home("U0NOBODY") is None
    assert get(slack, f"home/{ME}")["view_id"] == mine["view"]["id"]
    assert get(slack, f"view/{theirs['view']['id']}")["payload"]["blocks"][0]["text"]["text"] == "theirs"
    assert slack.shown(ME) == []  # a Home tab is not a message
    calls = [(c.method, c.user, c.status) for c in slack.calls()]
    assert calls == [("views.publish", ME, 200), ("views.publish", OTHER, 200), ("views.publish", ME, 200)]


def test_a_home_tab_published_with_a_stale_hash_is_refused(slack: SlackStandIn) -> None:
    first = web(slack).views_publish(user_id=ME, view=home(section("first")))
    web(slack).views_publish(user_id=ME, view=home(section("second")))
    with pytest.raises(SlackApiError) as refused:
        web(slack).views_publish(user_id=ME, view=home(section("stale")), hash=first["view"]["hash"])
    assert refused.value.response["error"] == "hash_conflict"
    assert text_of(slack.home(ME)) == "second"


def test_a_home_tab_must_be_a_home_view_within_100_blocks(slack: SlackStandIn) -> None:
    for view in (modal(section("a modal")), home(*[section("row")] * 101)):
        with pytest.raises(SlackApiError):
            web(slack).views_publish(user_id=ME, view=view)
    web(slack).views_publish(user_id=ME, view=home(*[section("row")] * 100))
    assert text_of(slack.home(ME)).splitlines() == ["row"] * 100


def test_a_wait_for_the_home_tab_ends_when_it_shows_what_is_awaited(slack: SlackStandIn) -> None:
    assert slack.wait_for_home(ME, timeout=0.1) is None
    web(slack).views_publish(user_id=ME, view=home(section("loading")))
    web(slack).views_publish(user_id=ME, view=home(section("ready")))
    assert text_of(slack.wait_for_home(ME, 2, timeout=1)) == "ready"
    assert slack.wait_for_home(ME, lambda shown: "ready" in shown.text(), timeout=1) is not None
    assert slack.wait_for_home(ME, lambda shown: "never" in shown.text(), timeout=0.1) is None


# --- Messages a press answers -------------------------------------------------------------------------------


def test_a_press_replaces_the_message_it_was_in_and_no_other(slack: SlackStandIn) -> None:
    assert (
        answer(slack.response_url(ME), text="first", blocks=[section("first"), {"type": "actions", "elements": [UNDO]}])
        == 200
    )
    assert answer(slack.response_url(ME), text="second", blocks=[section("second")]) == 200
    before = slack.version(ME)

    status = answer(slack.action_response_url(ME, 0), replace_original=True, text="undone", blocks=[section("undone")])

    assert status == 200
    assert slack.wait_for_change(ME, before, timeout=1) > before
    first, second = slack.shown(ME)
    assert (first.kind, first.index, first.text(), first.controls()) == ("message", 0, "undone\nundone", [])
    assert second.text() == "second\nsecond"


def test_a_press_may_remove_its_message_or_add_one(slack: SlackStandIn) -> None:
    answer(slack.response_url(ME), text="a dashboard", blocks=[section("a dashboard")])
    answer(slack.action_response_url(ME, 0), text="a new message", blocks=[section("a new message")])
    answer(slack.action_response_url(ME, 0), delete_original=True)

    removed, added = slack.shown(ME)
    assert removed.deleted and not added.deleted and added.index == 1
    assert added.text() == "a new message\na new message"
    gone = answer(slack.action_response_url(ME, 0), replace_original=True, text="too late")
    assert gone == 404
    assert slack.wait_until(lambda: len(slack.shown(ME)) == 2, timeout=0.1)


def test_a_replacement_beyond_slacks_limits_is_refused_and_the_message_kept(slack: SlackStandIn) -> None:
    answer(slack.response_url(ME), text="kept", blocks=[section("kept")])
    status = answer(slack.action_response_url(ME, 0), replace_original=True, text="x", blocks=[section("x")] * 51)
    assert status == 400
    assert slack.shown(ME)[0].text() == "kept\nkept"


# --- What Slack takes, and what a person reads ----------------------------------------------------------------


def test_rich_text_buttons_and_menus_within_limits_are_taken(slack: SlackStandIn) -> None:
    blocks = [section("You're 50%"), NAMES, {"type": "actions", "elements": [SPAN, UNDO]}]
    assert answer(slack.response_url(ME), text="x", blocks=blocks) == 200
    web(slack).views_publish(user_id=ME, view=home(*blocks))


@pytest.mark.parametrize(
    "blocks",
    [
        [section("x" * 3001)],
        [section("")],
        [section("row")] * 51,
        [{"type": "actions", "elements": [{**UNDO, "text": {"type": "plain_text", "text": "x" * 76}}]}],
        [{"type": "actions", "elements": [{**SPAN, "options": [{**SPAN["options"][0], "value": "v" * 151}]}]}],
        [{"type": "actions", "elements": [{**SPAN, "initial_option": {**SPAN["options"][0], "value": "365"}}]}],
        [{**section("a"), "block_id": "same"}, {**section("b"), "block_id": "same"}],
    ],
    ids=["text over 3000", "empty text", "51 blocks", "long button", "long option value", "odd initial", "twin ids"],
)
def test_what_slack_refuses_in_a_message_is_refused(slack: SlackStandIn, blocks: list[dict[str, Any]]) -> None:
    assert answer(slack.response_url(ME), text="x", blocks=blocks) == 400
    assert slack.shown(ME) == []


def test_text_reads_rich_text_as_sent_but_not_the_labels_of_controls() -> None:
    shown = Shown("message", {"text": "fallback", "blocks": [NAMES, {"type": "actions", "elements": [UNDO, SPAN]}]})
    assert shown.text().splitlines() == [
        "fallback",
        "Logged: <@U0DON> +, *Tom* & `Jerry` −",
        "• 2023-11-14 22:13 UTC · Random Guy −",
    ]


def test_read_is_what_a_person_reads_rich_text_exactly_as_typed() -> None:
    parts = [{"type": "text", "text": "Tom & Jerry <3 >.< &amp; *x*"}, {"type": "user", "user_id": "U0DON"}]
    typed = {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": parts}]}
    shown = Shown("message", {"text": "fallback", "blocks": [section("*You're* 50%"), typed]})
    assert shown.read() == "You're 50%\nTom & Jerry <3 >.< &amp; *x*@U0DON"
    assert Shown("message", {"text": "Sorry &amp; *retry*"}).read() == "Sorry & retry"


def test_controls_are_each_button_and_each_menu_option_in_order() -> None:
    blocks = [{"type": "actions", "block_id": "b1", "elements": [SPAN, UNDO]}, {**section("x"), "accessory": UNDO}]
    found = Shown("message", {"blocks": blocks}).controls()

    assert [(c.label, c.type, c.value, c.current) for c in found] == [
        ("Span: 7 days", "static_select", "7", False),
        ("Span: 30 days", "static_select", "30", True),
        ("Undo", "button", "u1", False),
        ("Undo", "button", "u1", False),
    ]
    assert found[0] == Control("Span: 7 days", "span", "b1", "static_select", "7", SPAN, SPAN["options"][0])
    assert found[2].block_id == "b1" and found[3].block_id == ""  # as sent: the stand-in gives one when kept


def test_blocks_kept_without_a_block_id_are_given_one(slack: SlackStandIn) -> None:
    answer(slack.response_url(ME), text="x", blocks=[section("a"), {"type": "actions", "elements": [UNDO]}])
    (shown,) = slack.shown(ME)
    ids = [block["block_id"] for block in shown.payload["blocks"]]
    assert all(ids) and len(set(ids)) == 2
    assert shown.controls()[0].block_id == ids[1]
