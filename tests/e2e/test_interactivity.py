"""End to end, the buttons, the dashboard and the Home tab: signed requests into the HTTP functions, the queue on
Azurite, the worker, and what reaches the Slack stand-in."""

from __future__ import annotations

import copy
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from interactions.dashboard import PAGE_SIZE
from interactions.pseudonym import owner_key
from local.slack_standin import Shown
from testkit import slack_requests
from tests.conftest import PSEUDONYM_KEY
from tests.e2e.conftest import TEAM, App, signed_headers, text_of

ME, THEM = "U0ME", "U0THEM"


def names_stored(app: App) -> list[str]:
    return sorted(entity["Person"] for entity in app.entries())


def test_undo_removes_exactly_its_own_log_and_nothing_else(app: App) -> None:
    app.command(ME, "<@U0DON> +")
    logged = app.command(ME, "<@U0MAELLE> - Random Guy -")
    assert "Logged: <@U0MAELLE> −, Random Guy −" in text_of(logged)
    assert [c.label for c in logged.controls()] == ["Undo"]

    # Another member sending the same press removes nothing of mine, and is told why.
    (undo,) = logged.controls()
    theirs = slack_requests.block_actions_payload(
        user=THEM, team=TEAM, block_id=undo.block_id, element=undo.element, response_url=app.slack.response_url(THEM)
    )
    app.call("slack_interactions", "slack/interactions", slack_requests.interaction_body(theirs))
    assert app.run_worker() == 1
    assert names_stored(app) == ["Random Guy", "U0DON", "U0MAELLE"]
    assert "Only the member who logged this can undo it." in text_of(app.slack.wait_for(THEM, 1)[-1])

    before_undo = copy.deepcopy(logged)  # the stand-in replaces the message in place
    undone = app.press(ME, logged, "Undo")
    assert names_stored(app) == ["U0DON"]
    assert "Undone: <@U0MAELLE> −, Random Guy −" in text_of(undone)
    assert "You're now 100% for positive interactions in the last 30 days." in text_of(undone)
    assert undone.controls() == []  # replaced in place: nothing left to press

    again = app.press(ME, before_undo, "Undo")  # the same press once more, as a double click sends it
    assert names_stored(app) == ["U0DON"]
    assert "Undone: <@U0MAELLE> −, Random Guy −" in text_of(again)  # the first press's answer stays
    assert "already undone" in text_of(app.slack.shown(ME)[-1])


def test_undo_after_a_clear_says_nothing_was_left(app: App) -> None:
    logged = app.command(ME, "Random Guy -")
    app.command(ME, "clear")
    assert "Nothing was left to undo" in text_of(app.press(ME, logged, "Undo"))


def test_a_log_redelivered_after_its_undo_stays_undone(app: App) -> None:
    app.send(ME, "Random Guy -")
    (message,) = app.waiting()
    assert app.run_worker() == 1
    logged = app.slack.wait_for(ME, 1)[-1]
    app.press(ME, logged, "Undo")
    app.queue.send_message(message)  # the host delivers the log's message again
    app.run_worker()
    assert names_stored(app) == []


def test_a_command_queued_by_the_previous_version_is_still_carried_out(app: App) -> None:
    old = {
        "v": 1,
        "command_id": "0123456789abcdef0123456789abcdef",
        "user_id": ME,
        "owner": owner_key(PSEUDONYM_KEY.encode(), TEAM, ME),
        "text": "Random Guy +",
        "response_url": app.slack.response_url(ME),
        "received_at": datetime.now(UTC).isoformat(),
        "view_id": None,
    }
    app.queue.send_message(json.dumps(old))
    assert app.run_worker() == 1
    assert "Got it! You're 100%" in text_of(app.slack.wait_for(ME, 1)[-1])
    assert names_stored(app) == ["Random Guy"]


def read_every_page(app: App, first: Shown, count: int) -> list[str]:
    """Press Older from ``first`` until there is no Older; the people of every entry on the way."""
    pages, shown = [text_of(first)], first
    while any(c.label == "Older" for c in shown.controls()):
        shown = app.press(ME, shown, "Older")
        pages.append(text_of(shown))
        assert len(pages) <= count // PAGE_SIZE + 2, "Older goes on past the last page"
    return [line.split(" · ")[1][:-2] for page in pages for line in page.split("\n") if " · Person " in line]


@pytest.mark.parametrize("count", [2 * PAGE_SIZE + 7, pytest.param(10_000, marks=pytest.mark.slow)])
def test_every_entry_is_reached_by_older_from_the_modal(modal_app: App, count: int) -> None:
    modal_app.seed(ME, count, datetime.now(UTC) - timedelta(minutes=1))
    modal = modal_app.command(ME, "365")
    assert modal.kind == "modal"
    assert read_every_page(modal_app, modal, count) == [f"Person {index}" for index in range(count)]
    newer = modal_app.press(ME, modal_app.now_showing(ME, modal), "Newer")
    assert f"Person {(count - 1) // PAGE_SIZE * PAGE_SIZE - 1}" in text_of(newer)  # the page before the last


@pytest.mark.parametrize("count", [2 * PAGE_SIZE + 7, pytest.param(10_000, marks=pytest.mark.slow)])
def test_every_entry_is_reached_by_older_from_the_message_without_a_bot_token(app: App, count: int) -> None:
    app.seed(ME, count, datetime.now(UTC) - timedelta(minutes=1))
    message = app.command(ME, "365")
    assert message.kind == "message"
    assert read_every_page(app, message, count) == [f"Person {index}" for index in range(count)]
    assert len(app.slack.shown(ME)) == 1  # every page in place of the one message


def test_changing_a_control_updates_the_same_modal(modal_app: App) -> None:
    modal_app.seed(ME, 30, datetime.now(UTC) - timedelta(minutes=1), people=4)
    modal = modal_app.command(ME, "")
    for label, heading in [
        ("Span: 90 days", "Your interactions, the last 90 days"),
        ("View: By person", "Your interactions by person, the last 90 days"),
        ("Filter: Negative −", "Your negative interactions by person, the last 90 days"),
        ("View: By time", "Your negative interactions by week, the last 90 days"),
    ]:
        shown = modal_app.press(ME, modal_app.now_showing(ME, modal), label)
        assert shown.view_id == modal.view_id
        assert text_of(shown).startswith(heading), text_of(shown)
    assert [s.kind for s in modal_app.slack.shown(ME)] == ["modal"]  # one modal, updated in place


def test_an_update_from_an_older_view_never_overwrites_a_newer_one(modal_app: App) -> None:
    modal_app.seed(ME, 5, datetime.now(UTC) - timedelta(minutes=1))
    stale = copy.deepcopy(modal_app.command(ME, ""))  # as the member's client saw it before the update
    # A press made on the view before the next one, carried out after it.
    late = slack_requests.block_actions_payload(
        user=ME,
        team=TEAM,
        block_id=(control := next(c for c in stale.controls() if c.label == "View: By person")).block_id,
        element=control.element,
        option=control.option,
        surface="modal",
        view=stale.as_view(),
    )
    late["actions"][0]["action_ts"] = f"{time.time() - 1:.6f}"  # made a second before the next press
    modal_app.press(ME, stale, "Span: 90 days")
    updated = [c for c in modal_app.slack.calls() if c.method == "views.update" and c.status == 200]
    modal_app.call("slack_interactions", "slack/interactions", slack_requests.interaction_body(late))
    modal_app.run_worker()
    assert text_of(modal_app.now_showing(ME, stale)).startswith("Your interactions, the last 90 days")
    assert [c for c in modal_app.slack.calls() if c.method == "views.update" and c.status == 200] == updated


def test_clear_all_my_logs_asks_first_then_clears_from_the_modal(modal_app: App) -> None:
    modal_app.seed(ME, 3, datetime.now(UTC) - timedelta(minutes=1))
    modal = modal_app.command(ME, "")
    (clear,) = [c for c in modal.controls() if c.label == "Clear all my logs"]
    assert clear.confirm is not None  # Slack asks before the press is sent
    cleared = modal_app.press(ME, modal, "Clear all my logs")
    assert names_stored(modal_app) == []
    assert "Your interaction logs are cleared" in text_of(cleared)


def open_home(app: App, user: str, event_id: str, retry: int | None = None) -> int:
    body = slack_requests.event_body(TEAM, user, event_id)
    headers = signed_headers(body, timestamp=int(time.time()) + (retry or 0))  # Slack signs each retry anew
    if retry is not None:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    response = app.call("slack_events", "slack/events", body, headers)
    assert response.status_code == 200
    return app.run_worker()


def test_the_home_tab_shows_the_members_own_dashboard_once_per_event(modal_app: App) -> None:
    modal_app.command(ME, "Random Guy +")
    modal_app.command(THEM, "Their Friend -")
    assert open_home(modal_app, ME, "Ev0ME1") == 1
    assert open_home(modal_app, ME, "Ev0ME1", retry=1) == 0  # Slack's retry of the same event
    home = modal_app.slack.wait_for_home(ME)
    assert home is not None
    assert "Random Guy" in text_of(home) and "Their Friend" not in text_of(home)
    assert [c.method for c in modal_app.slack.calls()].count("views.publish") == 1

    filtered = modal_app.press(ME, home, "Filter: Positive +")
    assert text_of(filtered).startswith("Your positive interactions, the last 30 days")
    assert modal_app.slack.home(THEM) is None  # published to that member alone


def test_the_events_url_answers_slacks_check(app: App) -> None:
    body = slack_requests.url_verification_body("a-challenge-of-slack's")
    response = app.call("slack_events", "slack/events", body)
    assert (response.status_code, json.loads(response.get_body())) == (200, {"challenge": "a-challenge-of-slack's"})
    unsigned = app.call(
        "slack_events", "slack/events", body, {"X-Slack-Signature": "v0=00", "X-Slack-Request-Timestamp": "1"}
    )
    assert unsigned.status_code == 401


def test_names_show_as_typed_and_an_invisible_one_is_refused(modal_app: App) -> None:
    typed = "*bold* _it_ ~st~ `tick` <https://x.example|label>"
    # As Slack sends it: & < > typed by the member arrive escaped.
    modal_app.command(ME, '"' + typed.replace("<", "&lt;").replace(">", "&gt;") + '" +')
    modal = modal_app.command(ME, "")
    texts = [
        element["text"]
        for block in modal.payload["blocks"]
        if block["type"] == "rich_text"
        for item in block["elements"]
        for section in item.get("elements", [item])
        for element in section.get("elements", [])
        if element.get("type") == "text"
    ]
    assert typed in texts
    refused = modal_app.command(ME, "\u200b +")
    assert "nothing visible" in text_of(refused)


def choice(user: str, shown: Shown, label: str) -> dict[str, Any]:
    """The payload of choosing ``label`` ("Span: 90 days") in ``shown``, as the member's client sends it."""
    (control,) = [c for c in shown.controls() if c.label == label]
    return slack_requests.block_actions_payload(
        user=user,
        team=TEAM,
        block_id=control.block_id,
        element=control.element,
        option=control.option,
        surface="modal" if shown.kind == "modal" else "home",
        view=shown.as_view(),
    )


@pytest.mark.parametrize("carried_out", ["in order", "the later first"])
def test_two_quick_menu_choices_in_a_modal_both_show(modal_app: App, carried_out: str) -> None:
    modal_app.seed(ME, 5, datetime.now(UTC) - timedelta(minutes=1))
    seen = copy.deepcopy(modal_app.command(ME, ""))  # both choices are made on it, before it shows either
    span = choice(ME, seen, "Span: 90 days")
    by_person = choice(ME, seen, "View: By person")
    # The client shows the first choice in its menu at once: the second press's state carries it.
    (span_control,) = [c for c in seen.controls() if c.label == "Span: 90 days"]
    by_person["view"]["state"]["values"][span_control.block_id][span_control.action_id]["selected_option"] = (
        span_control.option
    )
    presses = [span, by_person] if carried_out == "in order" else [by_person, span]
    for payload in presses:
        reply = modal_app.call("slack_interactions", "slack/interactions", slack_requests.interaction_body(payload))
        assert reply.status_code == 200
        modal_app.run_worker()
    assert text_of(modal_app.now_showing(ME, seen)).startswith("Your interactions by person, the last 90 days")


@pytest.mark.parametrize("surface", ["home", "modal"])
def test_clear_all_my_logs_on_a_view_changed_meanwhile_still_says_it_cleared(modal_app: App, surface: str) -> None:
    modal_app.seed(ME, 3, datetime.now(UTC) - timedelta(minutes=1))
    if surface == "home":
        open_home(modal_app, ME, "Ev0CLEAR1")
        home = modal_app.slack.wait_for_home(ME)
        assert home is not None
        seen = copy.deepcopy(home)
        open_home(modal_app, ME, "Ev0CLEAR2")  # re-published meanwhile: the hash the press carries is stale
    else:
        seen = copy.deepcopy(modal_app.command(ME, ""))
        modal_app.press(ME, modal_app.now_showing(ME, seen), "Filter: Positive +")  # changed meanwhile
    (clear,) = [c for c in seen.controls() if c.label == "Clear all my logs"]
    payload = slack_requests.block_actions_payload(
        user=ME,
        team=TEAM,
        block_id=clear.block_id,
        element=clear.element,
        surface="home" if surface == "home" else "modal",
        view=seen.as_view(),
    )
    modal_app.call("slack_interactions", "slack/interactions", slack_requests.interaction_body(payload))
    modal_app.run_worker()
    assert names_stored(modal_app) == []
    assert "Thanks! Your interaction logs are cleared." in text_of(modal_app.now_showing(ME, seen))
