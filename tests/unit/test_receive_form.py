"""The log form on the HTTP side, with an in-memory queue and Slack: opened by the shortcuts, the Log button
and `/interactions log`, redrawn as people are picked, and submitted: mistakes under their fields, or the log
queued and the form saying so."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk.models.views import View

from interactions import log_form as form
from interactions.model import NEGATIVE, POSITIVE, Person, Rated
from interactions.ports import OutcomeUnknown
from interactions.pseudonym import owner_key, view_tag
from interactions.queue_message import QueuedFormLog, read
from interactions.receive import Reply, receive_press
from interactions.settings import Settings
from interactions.slack import actions, texts
from interactions.slack.replays import ReplayGuard
from testkit.slack_requests import block_actions_payload, interaction_body, signed_headers
from tests import form_requests
from tests.fakes import FakeQueue, FakeSlack, readable
from tests.unit.slash_commands import KEY, NOW, SECRET, SETTINGS, WITH_TOKEN, send
from tests.unit.slash_commands import form as command_form

RESPONSE_URL = "https://hooks.slack.com/actions/T0TEAM/1/abc"
DON = Person("U0DON", mention=True)
GUY = Person("Random Guy", mention=False)
TODAY = datetime.fromtimestamp(NOW, UTC).date().isoformat()


def post(
    payload: dict[str, Any],
    slack: FakeSlack | None = None,
    queue: FakeQueue | None = None,
    settings: Settings = WITH_TOKEN,
) -> Reply:
    body = interaction_body(payload)
    slack = slack if slack is not None else FakeSlack()
    return receive_press(
        body,
        signed_headers(SECRET, body, NOW),
        settings,
        queue if queue is not None else FakeQueue(),
        messages=lambda: slack,
        now=lambda: NOW,
        replays=ReplayGuard(),
        modals=(lambda: slack) if settings.bot_token else None,
    )


def opened_form(slack: FakeSlack) -> View:
    (opened,) = slack.opened
    view = slack.views["V1"]
    assert view.callback_id == actions.LOG_FORM, opened.where
    return view


def rated(view: View) -> list[str]:
    """The people the form asks to rate, as their rating fields."""
    return [str(block.block_id) for block in view.blocks if str(block.block_id).startswith(form.RATING_PREFIX)]


def test_the_global_shortcut_opens_an_empty_form_dated_today() -> None:
    slack = FakeSlack()
    queue = FakeQueue()
    assert post(form_requests.global_shortcut("U0ME", "T0TEAM"), slack, queue) == Reply(200)
    view = opened_form(slack)
    fields = {block.block_id: block.to_dict() for block in view.blocks}
    assert fields[form.DATE]["element"]["initial_date"] == TODAY
    assert "initial_users" not in fields[form.PEOPLE]["element"]
    assert rated(view) == []
    assert texts.FORM_NOBODY_YET in readable(view.blocks)
    assert queue.sent == []  # opened in the ack: nothing for the worker


def test_the_message_shortcut_picks_the_author_and_those_mentioned_but_never_the_presser() -> None:
    message = {
        "user": "U0DON",
        "ts": "1699000000.000200",  # 2023-11-03 UTC
        "text": "with <@U0MAELLE> and <@U0ME|me>",
        "blocks": [
            {
                "type": "rich_text",
                "elements": [{"type": "rich_text_section", "elements": [{"type": "user", "user_id": "U0ZOE"}]}],
            }
        ],
    }
    slack = FakeSlack()
    assert post(form_requests.message_shortcut("U0ME", "T0TEAM", message, RESPONSE_URL), slack) == Reply(200)
    view = opened_form(slack)
    fields = {block.block_id: block.to_dict() for block in view.blocks}
    assert fields[form.PEOPLE]["element"]["initial_users"] == ["U0DON", "U0MAELLE", "U0ZOE"]
    assert fields[form.DATE]["element"]["initial_date"] == "2023-11-03"
    assert "<@U0DON>" in readable(view.blocks) and "<@U0ME>" not in readable(view.blocks)
    assert "C0LOCALCHANNEL" not in json.dumps(view.to_dict())


def test_an_apps_message_has_no_author_to_pick() -> None:
    message = {"bot_id": "B0BOT", "user": "U0BOTUSER", "ts": "1699000000.000200", "text": "ping <@U0DON>"}
    slack = FakeSlack()
    post(form_requests.message_shortcut("U0ME", "T0TEAM", message, RESPONSE_URL), slack)
    element = next(b.to_dict() for b in opened_form(slack).blocks if b.block_id == form.PEOPLE)["element"]
    assert element["initial_users"] == ["U0DON"]


def test_without_a_bot_token_the_message_shortcut_says_how_to_log_instead() -> None:
    slack = FakeSlack()
    message = {"user": "U0DON", "ts": "1699000000.000200", "text": "hi"}
    reply = post(form_requests.message_shortcut("U0ME", "T0TEAM", message, RESPONSE_URL), slack, settings=SETTINGS)
    assert reply == Reply(200)
    assert slack.opened == []
    assert slack.last.where == RESPONSE_URL and slack.last.text == texts.FORM_NEEDS_BOT


def test_a_form_that_could_not_open_is_said_where_the_member_can_read_it() -> None:
    slack = FakeSlack(open_fails=True)
    message = {"user": "U0DON", "ts": "1699000000.000200", "text": "hi"}
    post(form_requests.message_shortcut("U0ME", "T0TEAM", message, RESPONSE_URL), slack)
    assert slack.last.text == texts.FORM_NOT_OPENED


def test_a_shortcut_of_another_app_version_is_left_alone() -> None:
    slack = FakeSlack()
    assert post(form_requests.global_shortcut("U0ME", "T0TEAM", callback_id="something_else"), slack) == Reply(200)
    assert slack.opened == [] and slack.said == []


MY_DASHBOARD_TAG = view_tag(owner_key(KEY, "T0TEAM", "U0ME"), "V0DASH")


def log_button(value: str, surface: str = "message", tag: str = MY_DASHBOARD_TAG) -> dict[str, Any]:
    element = {"type": "button", "action_id": actions.OPEN_LOG_FORM, "text": {"type": "plain_text", "text": "Log"}}
    if value:
        element["value"] = value
    view = None
    if surface != "message":
        view = {"id": "V0DASH", "hash": "h0", "type": surface, "blocks": [], "private_metadata": tag}
    return block_actions_payload(
        user="U0ME",
        team="T0TEAM",
        block_id="b",
        element=element,
        surface=surface,  # type: ignore[arg-type]
        view=view,
        response_url=RESPONSE_URL if surface == "message" else None,
    )


@pytest.mark.parametrize(("person", "picked", "names"), [(DON, ["U0DON"], None), (GUY, None, "Random Guy")])
def test_log_again_opens_the_form_with_that_person_to_rate(person: Person, picked: Any, names: Any) -> None:
    slack = FakeSlack()
    assert post(log_button(actions.person_value(person), "home"), slack) == Reply(200)
    view = opened_form(slack)
    fields = {block.block_id: block.to_dict() for block in view.blocks}
    assert fields[form.PEOPLE]["element"].get("initial_users") == picked
    assert fields[form.NAMES]["element"].get("initial_value") == names
    assert rated(view) == [form.rating_field(person)]


def test_the_log_button_in_a_modal_opens_the_form_on_top_of_it() -> None:
    slack = FakeSlack()
    post(log_button("", "modal"), slack)
    assert slack.opened[0].where.startswith("push:")


def test_a_log_button_in_a_modal_not_the_pressers_or_answering_elsewhere_is_refused() -> None:
    slack = FakeSlack()
    assert post(log_button("", "modal", tag="0" * 16), slack) == Reply(400, {"error": "not the presser's view"})
    elsewhere = log_button("")
    elsewhere["response_url"] = "https://example.com/hook"
    assert post(elsewhere, slack) == Reply(400, {"error": "unknown response_url"})
    assert slack.opened == []


def test_a_log_button_value_the_app_did_not_write_is_refused() -> None:
    slack = FakeSlack()
    assert post(log_button('{"u":"not an id"}'), slack) == Reply(400, {"error": "unknown value"})
    assert slack.opened == []


def test_slash_log_opens_the_form_from_the_commands_ack() -> None:
    slack, queue = FakeSlack(), FakeQueue()
    assert send(command_form("log"), queue, slack, settings=WITH_TOKEN) == Reply(200)
    assert slack.opened[0].where.startswith("trigger:")
    assert slack.views["V1"].callback_id == actions.LOG_FORM
    assert queue.sent == []


def test_slash_log_without_a_bot_token_says_how_to_log_instead() -> None:
    queue = FakeQueue()
    reply = send(command_form("log"), queue)
    assert reply.body is not None and reply.body["text"] == texts.FORM_NEEDS_BOT
    assert queue.sent == []


def the_form(slack: FakeSlack) -> View:
    post(form_requests.global_shortcut("U0ME", "T0TEAM"), slack)
    return opened_form(slack)


def test_picking_people_adds_a_choice_for_each_at_once_only_on_the_view_as_seen() -> None:
    slack = FakeSlack()
    view = the_form(slack)
    slack.view_hashes["V1"] = "h-seen"
    state = form_requests.values(picked=["U0DON", "U0ME"], names="Random Guy, ", met_on=TODAY)
    press = form_requests.form_press("U0ME", "T0TEAM", view, "V1", "h-seen", actions.FORM_PEOPLE, state)
    assert post(press, slack) == Reply(200)
    redrawn = slack.views["V1"]
    assert rated(redrawn) == [form.rating_field(DON), form.rating_field(GUY)]
    assert redrawn.private_metadata == view.private_metadata  # still the member's form
    # A redraw from the view before that one is refused by its hash: the newer one stays.
    stale = form_requests.form_press("U0ME", "T0TEAM", view, "V1", "h-seen", actions.FORM_NAMES, state)
    said = len(slack.said)
    post(stale, slack)
    assert len(slack.said) == said


def test_a_press_in_another_members_form_is_refused() -> None:
    slack = FakeSlack()
    view = the_form(slack)
    state = form_requests.values(picked=["U0DON"])
    press = form_requests.form_press("U0OTHER", "T0TEAM", view, "V1", "h", actions.FORM_PEOPLE, state)
    assert post(press, slack) == Reply(400, {"error": "not the presser's view"})
    submitted = form_requests.submission("U0OTHER", "T0TEAM", view, "V1", state)
    queue = FakeQueue()
    assert post(submitted, slack, queue) == Reply(400, {"error": "not the presser's view"})
    assert queue.sent == []


def submit(state: dict[str, Any], queue: FakeQueue | None = None) -> Reply:
    slack = FakeSlack()
    view = the_form(slack)
    return post(form_requests.submission("U0ME", "T0TEAM", view, "V1", state), slack, queue)


def test_a_valid_form_is_queued_with_what_the_worker_needs_and_shows_it_is_being_logged() -> None:
    queue = FakeQueue()
    ratings = {DON: "+", GUY: "-"}
    state = form_requests.values(["U0DON"], "Random Guy", ratings, TODAY, "Talked budgets")
    reply = submit(state, queue)
    assert reply.body is not None and reply.body["response_action"] == "update"
    assert texts.FORM_LOGGING in json.dumps(reply.body["view"], ensure_ascii=False)
    (message,) = queue.sent
    queued = read(message)
    assert isinstance(queued, QueuedFormLog)
    assert queued.people() == (Rated(DON, POSITIVE), Rated(GUY, NEGATIVE))
    assert (queued.view_id, queued.met_on, queued.note) == ("V1", TODAY, "Talked budgets")
    assert queued.owner == owner_key(KEY, "T0TEAM", "U0ME")
    assert "C0LOCALCHANNEL" not in message


def test_a_form_with_mistakes_is_answered_under_each_field_and_nothing_is_queued() -> None:
    queue = FakeQueue()
    state = form_requests.values(["U0ME"], '""', {}, "2999-01-01", "x" * 501)
    reply = submit(state, queue)
    assert reply.body is not None and reply.body["response_action"] == "errors"
    errors = reply.body["errors"]
    assert set(errors) == {form.PEOPLE, form.NAMES, form.DATE, form.NOTE}
    assert errors[form.PEOPLE] == "You can't rate an interaction with yourself."
    assert errors[form.DATE] == texts.FORM_DATES["future"]
    assert queue.sent == []


def test_a_form_that_could_not_be_queued_stays_filled_to_send_again() -> None:
    state = form_requests.values(["U0DON"], "", {DON: "+"}, TODAY)
    reply = submit(state, FakeQueue(failing=ConnectionError()))
    assert reply == Reply(200, {"response_action": "errors", "errors": {form.PEOPLE: texts.FORM_NOT_QUEUED}})


def test_a_form_that_may_have_been_queued_says_to_check_before_logging_again() -> None:
    state = form_requests.values(["U0DON"], "", {DON: "+"}, TODAY)
    reply = submit(state, FakeQueue(failing=OutcomeUnknown()))
    assert reply.body is not None and reply.body["response_action"] == "update"
    assert "check there before" in json.dumps(reply.body["view"])


@pytest.mark.parametrize(
    "spoil",
    [
        lambda p: p["view"].pop("private_metadata"),
        lambda p: p["view"].update(id="not an id"),
        lambda p: p["view"]["state"]["values"][form.PEOPLE][actions.FORM_PEOPLE].update(selected_users=["<@x>"]),
        lambda p: p["view"]["state"]["values"][form.NOTE][actions.FORM_NOTE].update(value=["a list"]),
        lambda p: p["view"].update(state="no state"),
        lambda p: p.update(user={"id": 42}),
    ],
)
def test_a_spoiled_submission_is_refused_and_nothing_is_queued(spoil: Any) -> None:
    slack, queue = FakeSlack(), FakeQueue()
    view = the_form(slack)
    payload = form_requests.submission(
        "U0ME", "T0TEAM", view, "V1", form_requests.values(["U0DON"], "", {DON: "+"}, TODAY)
    )
    spoil(payload)
    assert post(payload, slack, queue) == Reply(400, {"error": "malformed form"})
    assert queue.sent == []


def test_a_message_time_beyond_any_date_opens_the_form_dated_today() -> None:
    slack = FakeSlack()
    message = {"user": "U0DON", "ts": "9" * 30, "text": "hi"}
    assert post(form_requests.message_shortcut("U0ME", "T0TEAM", message, RESPONSE_URL), slack) == Reply(200)
    element = next(b.to_dict() for b in opened_form(slack).blocks if b.block_id == form.DATE)["element"]
    assert element["initial_date"] == TODAY


@pytest.mark.parametrize("carried", ["é.é", "f" * 32, ".", "x" * 64])
def test_a_form_tagged_otherwise_than_by_the_app_is_refused(carried: str) -> None:
    slack, queue = FakeSlack(), FakeQueue()
    view = the_form(slack)
    payload = form_requests.submission(
        "U0ME", "T0TEAM", view, "V1", form_requests.values(["U0DON"], "", {DON: "+"}, TODAY)
    )
    payload["view"]["private_metadata"] = carried
    assert post(payload, slack, queue) == Reply(400, {"error": "not the presser's view"})
    assert queue.sent == []
