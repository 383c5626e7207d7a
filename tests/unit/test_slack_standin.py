"""The Slack stand-in plays Slack where the app's interactivity depends on it: view hashes, each user's Home
tab, a press's response_url replacing or removing its message, Slack's limits, rich text included, and a
modal's stack of views, the values a member chose in its inputs and the app's answer to its submission."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web import WebClient
from slack_sdk.webhook import WebhookClient

from local.block_kit import Control
from local.slack_display import render
from local.slack_standin import HASH_CONFLICT, Shown, SlackStandIn, Submitted
from testkit.slack_requests import interaction_body, signed_headers, view_submission_payload
from tests.conftest import SIGNING_SECRET
from tests.sample_blocks import SPAN, UNDO
from tests.sample_form import log_form, said

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


# --- A modal's stack of views, its inputs and their submission ------------------------------------------------


class AppAnswers:
    """The app's Interactivity Request URL, answering each submission with the next of ``answers`` (a status
    and a body); keeps each payload whose signature checks out."""

    def __init__(self, *answers: tuple[int, bytes]) -> None:
        self.answers = list(answers)
        self.got: list[dict[str, Any]] = []
        app = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                assert SignatureVerifier(SIGNING_SECRET).is_valid_request(body, dict(self.headers))
                app.got.append(json.loads(parse_qs(body.decode())["payload"][0]))
                status, answer = app.answers.pop(0)
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/slack/interactions"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def answers() -> Iterator[list[AppAnswers]]:
    started: list[AppAnswers] = []
    yield started
    for app in started:
        app.stop()


def app_answering(started: list[AppAnswers], *answers: dict[str, Any] | tuple[int, bytes]) -> AppAnswers:
    raw = [
        answer if isinstance(answer, tuple) else (200, json.dumps(answer).encode() if answer else b"")
        for answer in answers
    ]
    app = AppAnswers(*raw)
    started.append(app)
    return app


def open_form(slack: SlackStandIn, picked: list[str] | None = None) -> str:
    view = log_form(picked if picked is not None else ["U0DON"], "2026-12-05")
    return str(web(slack).views_open(trigger_id=slack.trigger_id(ME), view=view)["view"]["id"])


def post(slack: SlackStandIn, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        f"{slack.url}/{path}", json.dumps(body).encode(), {"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def submitted(slack: SlackStandIn, view_id: str, app: AppAnswers) -> Submitted:
    return slack.submit(view_id, team="T0TEAM", app_url=app.url, signing_secret=SIGNING_SECRET)


def test_a_view_pushed_goes_on_top_of_the_modal_and_closing_it_shows_the_one_under(slack: SlackStandIn) -> None:
    first = open_form(slack)
    pushed = web(slack).views_push(trigger_id=slack.trigger_id(ME), view=said("a card"))["view"]
    updated = web(slack).views_update(view_id=pushed["id"], view=said("the card, filled"), hash=pushed["hash"])

    assert [view.view_id for view in slack.stack(ME)] == [first, pushed["id"]]
    assert text_of(slack.modal(pushed["id"])) == "the card, filled"
    with pytest.raises(SlackApiError) as stale:
        web(slack).views_update(view_id=pushed["id"], view=said("stale"), hash=pushed["hash"])
    assert stale.value.response["error"] == "hash_conflict" and updated["view"]["hash"] != pushed["hash"]
    top = slack.stack(ME)[-1]
    assert (top.root_view_id, top.previous_view_id) == (first, first)

    status, answer = post(slack, f"close/{pushed['id']}", {})

    assert status == 200 and answer["view"]["view_id"] == first
    assert [view.view_id for view in slack.stack(ME)] == [first]
    closed = slack.shown(ME)[-1]
    assert closed.deleted and closed.controls() == []
    with pytest.raises(SlackApiError) as gone:
        web(slack).views_update(view_id=pushed["id"], view=said("too late"))
    assert gone.value.response["error"] == "not_found"


def test_a_modal_holds_three_views_at_most_and_a_push_needs_one_open(slack: SlackStandIn) -> None:
    with pytest.raises(SlackApiError) as nothing_open:
        web(slack).views_push(trigger_id=slack.trigger_id(ME), view=said("alone"))
    assert nothing_open.value.response["error"] == "not_found"
    open_form(slack)
    for n in range(2):
        web(slack).views_push(trigger_id=slack.trigger_id(ME), view=said(f"pushed {n}"))
    with pytest.raises(SlackApiError) as full:
        web(slack).views_push(trigger_id=slack.trigger_id(ME), view=said("a fourth"))
    assert full.value.response["error"] == "push_limit_reached"
    assert len(slack.stack(ME)) == 3 and slack.stack(OTHER) == []


def test_a_form_opened_is_shown_at_once_and_a_placeholder_is_loading(slack: SlackStandIn) -> None:
    form, placeholder = open_form(slack), web(slack).views_open(trigger_id=slack.trigger_id(ME), view=said("…"))
    assert not text_of(slack.modal(form)) and slack.modal(form).payload.get("loading") is None  # type: ignore[union-attr]
    assert slack.modal(placeholder["view"]["id"]).payload.get("loading") is True  # type: ignore[union-attr]


def test_inputs_start_with_what_the_app_set_and_keep_what_the_member_chose_through_an_update(
    slack: SlackStandIn,
) -> None:
    view_id = open_form(slack)
    modal = slack.modal(view_id)
    assert modal is not None
    assert modal.state["people"]["people"] == {"type": "multi_users_select", "selected_users": ["U0DON"]}
    assert modal.state["date"]["date"] == {"type": "datepicker", "selected_date": "2026-12-05"}
    assert modal.state["note"]["note"] == {"type": "plain_text_input", "value": None}

    status, _ = post(slack, f"choose/{view_id}", entry("note", "note", "plain_text_input", "value", "met for coffee"))
    assert status == 200
    picked = entry("people", "people", "multi_users_select", "selected_users", ["U0DON", "U0SAM"])
    assert post(slack, f"choose/{view_id}", picked)[0] == 200
    web(slack).views_update(view_id=view_id, view=log_form(["U0DON", "U0SAM"], "2026-12-05"), hash=modal.hash)

    kept = slack.modal(view_id)
    assert kept is not None
    assert kept.state["note"]["note"]["value"] == "met for coffee"  # the same input: Slack keeps what was typed
    assert kept.state["people"]["people"]["selected_users"] == ["U0DON", "U0SAM"]
    assert kept.state["rating_U0SAM"]["rating"] == {"type": "radio_buttons", "selected_option": None}
    wrong_type = entry("note", "note", "datepicker", "selected_date", "2026-12-01")
    assert post(slack, f"choose/{view_id}", wrong_type)[0] == 400
    assert post(slack, f"choose/{view_id}", entry("nowhere", "x", "plain_text_input", "value", "x"))[0] == 404
    assert post(slack, "choose/V0NONE", entry("note", "note", "plain_text_input", "value", "x"))[0] == 404


def entry(block_id: str, action_id: str, kind: str, name: str, value: Any) -> dict[str, Any]:
    return {"block_id": block_id, "action_id": action_id, "entry": {"type": kind, name: value}}


def test_a_submission_carries_the_views_state_and_errors_show_against_their_inputs(
    slack: SlackStandIn, answers: list[AppAnswers]
) -> None:
    view_id = open_form(slack)
    slack.choose(view_id, "names", "names", {"type": "plain_text_input", "value": "Random Guy"})
    app = app_answering(answers, {"response_action": "errors", "errors": {"names": "No such name"}})

    outcome = submitted(slack, view_id, app)

    assert (outcome.outcome, outcome.view_id) == ("errors", view_id)
    (payload,) = app.got
    assert payload["type"] == "view_submission" and payload["user"]["id"] == ME
    assert payload["view"]["id"] == view_id and payload["view"]["callback_id"] == "log_form"
    modal = slack.modal(view_id)
    assert modal is not None and payload["view"]["hash"] == modal.hash
    assert payload["view"]["state"]["values"]["names"]["names"]["value"] == "Random Guy"
    assert modal.errors == {"names": "No such name"}
    assert "  ⚠ No such name" in render(asdict(modal)).replace("│ ", "").splitlines()
    slack.choose(view_id, "names", "names", {"type": "plain_text_input", "value": "Random Person"})
    assert slack.modal(view_id).errors == {}  # type: ignore[union-attr]  # changed: Slack hides its error


def test_errors_naming_a_block_that_is_not_an_input_are_refused_and_the_modal_stays(
    slack: SlackStandIn, answers: list[AppAnswers]
) -> None:
    view_id = open_form(slack)
    app = app_answering(answers, {"response_action": "errors", "errors": {"elsewhere": "x"}}, (500, b""))
    assert submitted(slack, view_id, app).outcome == "refused"
    assert submitted(slack, view_id, app).outcome == "failed"
    assert [view.view_id for view in slack.stack(ME)] == [view_id] and slack.modal(view_id).errors == {}  # type: ignore[union-attr]


def test_an_update_answer_replaces_the_view_submitted_and_the_worker_then_updates_it_by_id(
    slack: SlackStandIn, answers: list[AppAnswers]
) -> None:
    view_id = open_form(slack)
    before = slack.modal(view_id).hash  # type: ignore[union-attr]
    app = app_answering(answers, {"response_action": "update", "view": said("Logging…")})

    outcome = submitted(slack, view_id, app)

    assert (outcome.outcome, outcome.view_id) == ("updated", view_id)
    modal = slack.modal(view_id)
    assert modal is not None and text_of(modal) == "Logging…" and modal.hash != before
    web(slack).views_update(view_id=view_id, view=said("Logged: @U0DON +"))
    assert text_of(slack.modal(view_id)) == "Logged: @U0DON +"
    calls = [(call.method, call.user, call.ref, call.text) for call in slack.calls()]
    assert ("view_submission", ME, view_id, "updated") in calls


def test_a_push_answer_adds_a_view_and_an_empty_one_closes_the_view_submitted(
    slack: SlackStandIn, answers: list[AppAnswers]
) -> None:
    view_id = open_form(slack)
    app = app_answering(answers, {"response_action": "push", "view": log_form([], "2026-12-05")}, {})

    pushed = submitted(slack, view_id, app)
    assert pushed.outcome == "pushed" and [v.view_id for v in slack.stack(ME)] == [view_id, pushed.view_id]
    closed = submitted(slack, str(pushed.view_id), app)

    assert (closed.outcome, closed.view_id) == ("closed", view_id)
    assert [view.view_id for view in slack.stack(ME)] == [view_id]
    assert submitted(slack, str(pushed.view_id), app).outcome == "gone"  # closed: nothing is sent
    assert len(app.got) == 2


def test_a_clear_answer_closes_the_whole_modal(slack: SlackStandIn, answers: list[AppAnswers]) -> None:
    first = open_form(slack)
    second = web(slack).views_push(trigger_id=slack.trigger_id(ME), view=log_form([], "2026-12-05"))["view"]["id"]
    app = app_answering(answers, {"response_action": "clear"})

    assert submitted(slack, second, app).outcome == "cleared"

    assert slack.stack(ME) == [] and slack.modal(first) is None and slack.modal(second) is None


def test_a_submission_handed_over_http_is_posted_as_it_was_signed(
    slack: SlackStandIn, answers: list[AppAnswers]
) -> None:
    view_id = open_form(slack)
    app = app_answering(answers, {})
    modal = slack.modal(view_id)
    assert modal is not None
    body = interaction_body(view_submission_payload(user=ME, team="T0TEAM", view=modal.as_view()))
    asked = {"url": app.url, "headers": signed_headers(SIGNING_SECRET, body), "body": body.decode()}

    status, answer = post(slack, f"submit/{view_id}", asked)

    assert (status, answer["outcome"], answer["status"]) == (200, "closed", 200)
    assert app.got[0]["view"]["id"] == view_id and slack.stack(ME) == []
    assert post(slack, f"submit/{view_id}", asked)[0] == 404  # closed: not sent again
    assert post(slack, f"submit/{open_form(slack)}", {**asked, "url": "file:///etc/hostname"})[0] == 400
    assert len(app.got) == 1
