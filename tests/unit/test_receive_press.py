"""The HTTP use cases of the interactivity and events endpoints, every branch, with an in-memory queue and
Slack: what Slack gets back within its 3 seconds, and what is queued for the worker."""

from __future__ import annotations

import json
from typing import Any

import pytest

from interactions.dashboard import Dashboard
from interactions.ports import OutcomeUnknown
from interactions.pseudonym import owner_key, view_tag
from interactions.queue_message import QueuedHomeOpened, QueuedPress, read
from interactions.receive import Reply, receive_event, receive_press
from interactions.slack import actions, texts
from interactions.slack.replays import Memory, ReplayGuard
from interactions.slack.request import MAX_PAYLOAD_BYTES
from testkit.slack_requests import (
    block_actions_payload,
    event_body,
    interaction_body,
    signed_headers,
    url_verification_body,
)
from tests.fakes import FakeQueue, FakeSlack
from tests.unit.slash_commands import KEY, NOW, SECRET, SETTINGS, WITH_TOKEN

RESPONSE_URL = "https://hooks.slack.com/actions/T0TEAM/1/abc"
OLDER = {
    "type": "button",
    "action_id": actions.OLDER,
    "text": {"type": "plain_text", "text": "Older"},
    "value": actions.dashboard_value(Dashboard(page=1, start="0000000000001-c-00", totals=(60, 5))),
}
# As the worker showed it to U0ME: tagged as theirs.
VIEW = {
    "id": "V0MODAL",
    "hash": "1712345678.abcdEFGH",
    "type": "modal",
    "blocks": [],
    "private_metadata": view_tag(owner_key(KEY, "T0TEAM", "U0ME"), "V0MODAL"),
}


def press_body(element: dict[str, Any] = OLDER, **options: Any) -> bytes:
    options.setdefault("response_url", RESPONSE_URL if options.get("surface", "message") == "message" else None)
    return interaction_body(block_actions_payload(user="U0ME", team="T0TEAM", block_id="b", element=element, **options))


def send_press(
    body: bytes, queue: FakeQueue, slack: FakeSlack | None = None, *, secret: str = SECRET, timestamp: int = NOW
) -> Reply:
    return receive_press(
        body,
        signed_headers(secret, body, timestamp),
        SETTINGS,
        queue,
        messages=(lambda: slack) if slack is not None else None,
        now=lambda: NOW,
        replays=ReplayGuard(),
    )


def queued_press(queue: FakeQueue) -> QueuedPress:
    (message,) = queue.sent
    press = read(message)
    assert isinstance(press, QueuedPress)
    return press


def test_a_press_in_a_message_is_queued_with_its_response_url_and_acknowledged() -> None:
    queue = FakeQueue()
    assert send_press(press_body(), queue) == Reply(200)
    press = queued_press(queue)
    assert (press.action_id, press.value, press.surface) == (actions.OLDER, OLDER["value"], "message")
    assert press.response_url == RESPONSE_URL and press.view_id is None
    assert press.owner == owner_key(KEY, "T0TEAM", "U0ME") and press.user_id == "U0ME"
    assert "C0LOCALCHANNEL" not in queue.sent[0]  # the channel pressed in is never kept


@pytest.mark.parametrize("surface", ["modal", "home"])
def test_a_press_in_a_view_is_queued_with_the_view_and_the_hash_it_saw(surface: str) -> None:
    queue = FakeQueue()
    body = press_body(surface=surface, view={**VIEW, "type": surface})
    assert send_press(body, queue) == Reply(200)
    press = queued_press(queue)
    assert (press.surface, press.view_id, press.view_hash, press.response_url) == (
        surface,
        "V0MODAL",
        "1712345678.abcdEFGH",
        None,
    )


@pytest.mark.parametrize(
    "metadata",
    [
        view_tag(owner_key(KEY, "T0TEAM", "U0SOMEONEELSE"), "V0MODAL"),  # another member's modal
        view_tag(owner_key(KEY, "T0TEAM", "U0ME"), "V0OTHERMODAL"),  # the presser's tag of another modal
        "",
        None,
    ],
)
def test_a_press_naming_a_modal_that_is_not_the_pressers_own_is_refused(metadata: str | None) -> None:
    queue = FakeQueue()
    reply = send_press(press_body(surface="modal", view={**VIEW, "private_metadata": metadata}), queue)
    assert reply.status == 400
    assert queue.sent == []


def test_a_menu_choice_is_queued_with_the_option_chosen() -> None:
    queue = FakeQueue()
    target = actions.dashboard_value(Dashboard(days=90))
    option = {"text": {"type": "plain_text", "text": "90 days"}, "value": target}
    menu = {"type": "static_select", "action_id": actions.SPAN, "options": [option]}
    assert send_press(press_body(menu, option=option, surface="modal", view=VIEW), queue) == Reply(200)
    assert queued_press(queue).value == target


def test_in_a_grid_org_a_press_has_the_same_owner_as_the_members_commands() -> None:
    queue = FakeQueue()
    send_press(press_body(enterprise_id="E0GRID"), queue)
    assert queued_press(queue).owner == owner_key(KEY, "T0TEAM", "U0ME", "E0GRID")


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"payload=%7Bnot+json", "not JSON"),
        (interaction_body({"type": "block_actions", "user": {"id": "U0ME"}}), "no actions"),
        (press_body(response_url="https://evil.example/hooks/1"), "response_url elsewhere"),
        (press_body({**OLDER, "value": '{"d":30,"m":"list","x":1}'}), "a value the app did not write"),
        (press_body({**OLDER, "action_id": actions.UNDO}), "an undo value that is no undo"),
        (
            interaction_body(
                {
                    **json.loads(
                        json.dumps(
                            block_actions_payload(
                                user="U0ME", team="T0TEAM", block_id="b", element=OLDER, response_url=RESPONSE_URL
                            )
                        )
                    ),
                    "user": "U0ME",
                }
            ),
            "user not an object",
        ),
        (press_body() + b"\xff", "not UTF-8"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_a_signed_payload_that_is_not_what_slack_sends_is_refused_with_400(body: bytes, why: str) -> None:
    queue = FakeQueue()
    reply = send_press(body, queue)
    assert reply.status == 400, why
    assert queue.sent == []


def test_what_the_app_does_not_handle_is_acknowledged_and_left_alone() -> None:
    queue = FakeQueue()
    closed = interaction_body({"type": "view_closed", "user": {"id": "U0ME"}, "view": VIEW})
    assert send_press(closed, queue) == Reply(200)
    assert send_press(press_body({**OLDER, "action_id": "someone_elses"}), queue) == Reply(200)
    assert queue.sent == []


def test_unsigned_stale_and_replayed_presses_are_refused() -> None:
    queue, body = FakeQueue(), press_body()
    assert send_press(body, queue, secret="not-the-secret") == Reply(401)
    assert send_press(body, queue, timestamp=NOW - 10 * 60) == Reply(401)
    replays = ReplayGuard()
    headers = signed_headers(SECRET, body, NOW)
    first = receive_press(body, headers, SETTINGS, queue, now=lambda: NOW, replays=replays)
    again = receive_press(body, headers, SETTINGS, queue, now=lambda: NOW, replays=replays)
    assert (first, again) == (Reply(200), Reply(401))
    assert len(queue.sent) == 1


def test_a_press_in_a_full_modal_fits_and_a_larger_body_is_refused() -> None:
    # The largest view the app could be sent back: 100 blocks of 3000 characters of 4-byte UTF-8.
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "😀" * 3000}} for _ in range(100)]
    queue = FakeQueue()
    body = press_body(surface="modal", view={**VIEW, "blocks": blocks})
    assert len(body) <= MAX_PAYLOAD_BYTES
    assert send_press(body, queue) == Reply(200)
    assert send_press(body + b"&pad=" + b"x" * MAX_PAYLOAD_BYTES, FakeQueue()) == Reply(413)


def test_a_press_that_could_not_be_queued_says_so_in_the_message() -> None:
    slack = FakeSlack()
    assert send_press(press_body(), FakeQueue(failing=OSError("down")), slack) == Reply(200)
    assert slack.last.text == texts.COULD_NOT_PRESS
    assert slack.replaced == []  # the message pressed stays, to be pressed again
    # A modal has no message to say it in: Slack marks the control as failed.
    body = press_body(surface="modal", view=VIEW)
    assert send_press(body, FakeQueue(failing=OutcomeUnknown()), slack).status == 503


# --- Events ----------------------------------------------------------------------------------------------


def send_event(
    body: bytes, queue: FakeQueue, events: Memory, *, settings: Any = WITH_TOKEN, retry: int | None = None
) -> Reply:
    headers = signed_headers(SECRET, body, NOW)
    if retry is not None:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    return receive_event(body, headers, settings, queue, now=lambda: NOW, replays=ReplayGuard(), events=events)


def test_the_url_check_is_answered_with_its_challenge() -> None:
    queue = FakeQueue()
    reply = send_event(url_verification_body("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"), queue, Memory())
    assert reply == Reply(200, {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"})
    assert queue.sent == []


def test_opening_the_home_tab_is_queued_once_however_often_slack_retries() -> None:
    queue, events = FakeQueue(), Memory()
    body = event_body("T0TEAM", "U0ME", "Ev0HOME1", view={"id": "VH1", "hash": "1.h"})
    assert send_event(body, queue, events) == Reply(200)
    assert send_event(event_body("T0TEAM", "U0ME", "Ev0HOME1"), queue, events, retry=1) == Reply(200)
    (message,) = queue.sent
    opened = read(message)
    assert isinstance(opened, QueuedHomeOpened)
    assert (opened.user_id, opened.view_hash) == ("U0ME", "1.h")
    assert opened.owner == owner_key(KEY, "T0TEAM", "U0ME")


def test_an_event_that_could_not_be_queued_is_taken_when_slack_retries_it() -> None:
    events, body = Memory(), event_body("T0TEAM", "U0ME", "Ev0HOME2")
    assert send_event(body, FakeQueue(failing=OSError("down")), events).status == 503
    queue = FakeQueue()
    assert send_event(body, queue, events, retry=1) == Reply(200)
    assert len(queue.sent) == 1


@pytest.mark.parametrize(
    ("body", "settings"),
    [
        (event_body("T0TEAM", "U0ME", "Ev1", tab="messages"), WITH_TOKEN),
        (
            json.dumps({"type": "event_callback", "event_id": "Ev2", "event": {"type": "reaction_added"}}).encode(),
            WITH_TOKEN,
        ),
        (event_body("T0TEAM", "U0ME", "Ev3"), SETTINGS),  # without a bot token, nothing can be published
    ],
    ids=["messages tab", "another event", "no bot token"],
)
def test_other_events_are_acknowledged_and_left_alone(body: bytes, settings: Any) -> None:
    queue = FakeQueue()
    assert send_event(body, queue, Memory(), settings=settings) == Reply(200)
    assert queue.sent == []


def test_unsigned_or_malformed_events_are_refused() -> None:
    queue, body = FakeQueue(), event_body("T0TEAM", "U0ME", "Ev4")
    headers = signed_headers("not-the-secret", body, NOW)
    assert receive_event(body, headers, WITH_TOKEN, queue, now=lambda: NOW, replays=ReplayGuard()) == Reply(401)
    assert send_event(b"{not json", queue, Memory()).status == 400
    no_user = json.dumps(
        {
            "type": "event_callback",
            "event_id": "Ev5",
            "team_id": "T0TEAM",
            "event": {"type": "app_home_opened", "tab": "home"},
        }
    ).encode()
    assert send_event(no_user, queue, Memory()).status == 400
    assert queue.sent == []


def test_a_queued_press_and_event_hold_only_what_the_worker_needs() -> None:
    queue = FakeQueue()
    send_press(press_body(), queue)
    send_event(event_body("T0TEAM", "U0ME", "Ev6"), queue, Memory())
    press, opened = (json.loads(m) for m in queue.sent)
    assert set(press) == {
        *("v", "kind", "press_id", "user_id", "owner", "received_at", "action_id", "value", "surface"),
        *("response_url", "view_id", "view_hash", "pressed_at"),
    }
    # Never the team, channel, user name, trigger id, token or the message pressed.
    assert not {"T0TEAM", "C0LOCALCHANNEL", "local-verification-token"} & {str(v) for v in press.values()}
    assert set(opened) == {"v", "kind", "event_id", "user_id", "owner", "received_at", "view_hash"}


def test_json_nested_deeper_than_the_parser_goes_is_refused_not_a_500() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    press = interaction_body({"type": "block_actions"}).replace(b"%7D", b"%2C%22x%22%3A" + deep.encode() + b"%7D")
    assert send_press(press, FakeQueue()).status == 400
    event = ('{"type":"event_callback","x":' + deep + "}").encode()
    assert send_event(event, FakeQueue(), Memory()).status == 400


@pytest.mark.parametrize(
    "value",
    [
        '{"d":30,"m":[]}',
        '{"d":30,"m":{"x":1}}',
        '{"d":30,"m":"list","r":1.0}',
        '{"d":30,"m":"list","r":true}',
        '{"d":30.0,"m":"list"}',
        "[" * 999 + "]" * 999,
        '{"d":30,"m":"list","s":["0"]}',
        # a page or totals the app never writes: shown, they would say anything, at any length
        '{"d":30,"m":"list","p":999999,"s":"0000000000001-c-00"}',
        '{"d":30,"m":"list","p":999999,"s":"0000000000001-c-00","t":[5,5]}',
        '{"d":30,"m":"list","p":1,"s":"0000000000001-c-00","t":[' + "9" * 3000 + ",0]}",
        '{"d":30,"m":"person","p":' + "9" * 3000 + "}",
    ],
)
def test_a_value_of_a_shape_the_app_never_writes_is_refused_not_a_500(value: str) -> None:
    queue = FakeQueue()
    assert send_press(press_body({**OLDER, "value": value}), queue).status == 400
    assert queue.sent == []
