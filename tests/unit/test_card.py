"""One person's card, with an in-memory store and Slack: what `/interactions @don`, a person row's button and the
card's own buttons show, where, and what Forget this person deletes; and the notes a log keeps."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from interactions import card
from interactions.dashboard import Dashboard, Page
from interactions.model import NEGATIVE, POSITIVE, Mode, Person, Rated
from interactions.process import process, report_failure
from interactions.pseudonym import owner_key, view_tag
from interactions.queue_message import QueuedCommand
from interactions.receive import Reply
from interactions.reports import PersonTotals, Totals, person_figures
from interactions.slack import actions, texts
from interactions.slack.card import LOG_AGAIN_ACTION, card_blocks, card_modal
from interactions.slack.dashboard import dashboard_blocks
from testkit.slack_requests import block_actions_payload, interaction_body, signed_headers
from tests.fakes import FakeQueue, FakeSlack, FakeStore
from tests.unit.queued_commands import NOW, OWNER, URL, message, run
from tests.unit.slash_commands import KEY, SECRET, SETTINGS, form, send
from tests.unit.slash_commands import NOW as ACK_NOW
from tests.unit.test_presses import PRESS_URL, control, controls, pressed

DON, GUY = Person("U0DON", mention=True), Person("Random Guy", mention=False)
MESSAGE_BLOCKS = 50


def seed(store: FakeStore, person: Person, count: int, *, every: timedelta = timedelta(days=1), note: str = "") -> None:
    """``count`` logs of ``person``, one ``every`` apart back from NOW, every third one negative."""
    for index in range(count):
        rated = [Rated(person, NEGATIVE if index % 3 == 2 else POSITIVE)]
        at = NOW - timedelta(minutes=1) - every * index
        store.add(OWNER, f"{person.name[:4]}{index:05d}", at, rated, f"{note} {index}" if note else None)


def as_json(shown: Sequence[Block] | None) -> list[dict[str, Any]]:
    return [block.to_dict() for block in shown or []]  # to_dict() validates against Slack's rules


def walk(value: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(value, dict):
        found.append(value)
        for item in value.values():
            found += walk(item)
    elif isinstance(value, list):
        for item in value:
            found += walk(item)
    return found


def mrkdwn(shown: Sequence[Block] | None) -> str:
    return "\n".join(o["text"] for o in walk(as_json(shown)) if o.get("type") == "mrkdwn")


def assert_fits_a_message(shown: Sequence[Block]) -> None:
    sent = as_json(shown)
    assert 0 < len(sent) <= MESSAGE_BLOCKS
    assert [parsed.to_dict() for block in sent if (parsed := Block.parse(block)) is not None] == sent


# --- The figures -----------------------------------------------------------------------------------------


def test_figures_count_each_span_and_each_of_the_last_12_months_empty_ones_included() -> None:
    history = [
        (NOW - timedelta(days=1), POSITIVE),
        (NOW - timedelta(days=40), NEGATIVE),
        (NOW - timedelta(days=100), POSITIVE),
        (NOW - timedelta(days=800), POSITIVE),
    ]
    figures = person_figures(iter(history), NOW)
    assert (figures.first_met, figures.last_met) == (NOW - timedelta(days=800), NOW - timedelta(days=1))
    assert [(days, t.positive, t.negative) for days, t in figures.spans] == [(30, 1, 0), (90, 1, 1), (365, 2, 1)]
    assert (figures.all_time.positive, figures.all_time.negative) == (3, 1)
    starts = [m.start for m in figures.months]
    assert (starts[0], starts[-1]) == (date(2025, 4, 1), date(2026, 3, 1))  # oldest first, this month last
    assert len(figures.months) == 12
    assert {m.start: m.count for m in figures.months if m.count} == {
        date(2026, 3, 1): 1,
        date(2026, 2, 1): 1,
        date(2025, 12, 1): 1,
    }


def test_nobody_met_has_no_first_or_last_day() -> None:
    figures = person_figures(iter([]), NOW)
    assert (figures.first_met, figures.last_met, figures.all_time.count) == (None, None, 0)
    assert len(figures.months) == 12


# --- The card as Slack shows it --------------------------------------------------------------------------


def shown_card(store: FakeStore, person: Person, start: str | None = None) -> card.PersonCard:
    return card.read(store, OWNER, person, start, NOW)


def test_a_card_names_the_person_says_when_they_were_met_and_adds_them_up(store: FakeStore) -> None:
    seed(store, DON, 40)
    shown = card_blocks(shown_card(store, DON), NOW)
    assert_fits_a_message(shown)
    header = walk(as_json(shown[:1]))
    assert {"type": "user", "user_id": "U0DON"} in header
    said = mrkdwn(shown)
    assert "Last 30 days: 30 (20 `+`, 10 `−`) · 67% positive" in said
    assert "All time: 40 (27 `+`, 13 `−`) · 68% positive" in said
    assert said.count("`2026-") + said.count("`2025-") == 12  # a line per month
    met = [o for o in walk(as_json(shown)) if o.get("type") == "date"]
    assert met[0]["fallback"] == "2026-02-04"  # first met, 39 days before
    assert met[1]["fallback"] == "2026-03-15"
    assert not any("(today)" in str(o.get("text")) for o in walk(as_json(shown)))  # Slack writes "Today"


def test_a_card_says_how_many_days_ago_they_were_last_met() -> None:
    assert texts.ago(23) == " (23 days ago)"
    assert texts.ago(2) == " (2 days ago)"
    assert texts.ago(1) == texts.ago(0) == ""  # Slack writes the day as "Yesterday" or "Today"


def test_a_card_shows_the_latest_10_entries_with_their_notes_as_written(store: FakeStore) -> None:
    seed(store, GUY, 12, note="*lunch* <@U0X> _budget_")
    shown = card_blocks(shown_card(store, GUY), NOW)
    (rows,) = [o for o in walk(as_json(shown)) if o.get("type") == "rich_text_list"]
    assert len(rows["elements"]) == 10
    first = rows["elements"][0]["elements"]
    assert first[1] == {"type": "text", "text": " +"}
    assert first[2:] == [
        {"type": "text", "text": texts.NOTE_SEPARATOR},
        {"type": "text", "text": "*lunch* "},
        {"type": "user", "user_id": "U0X"},
        {"type": "text", "text": " _budget_ 0"},
    ]
    assert "lunch" not in mrkdwn(shown)  # never read as Slack formatting
    assert {"type": "text", "text": "Random Guy"} in walk(as_json(shown[:1]))


def test_a_card_of_nobody_logged_says_so(store: FakeStore) -> None:
    seed(store, DON, 3)
    shown = card_blocks(shown_card(store, GUY), NOW)
    texts_shown = [o.get("text") for o in walk(as_json(shown))]
    assert texts.NOTHING_WITH in texts_shown
    assert {c["action_id"] for c in controls(shown)} == {LOG_AGAIN_ACTION}  # nothing to forget


def test_a_card_buttons_carry_the_person(store: FakeStore) -> None:
    seed(store, GUY, 12)
    shown = card_blocks(shown_card(store, GUY), NOW)
    assert actions.parse_person(control(shown, LOG_AGAIN_ACTION)) == GUY
    assert actions.parse_person(control(shown, actions.FORGET_PERSON)) == GUY
    (forget,) = [o for o in walk(as_json(shown)) if o.get("action_id") == actions.FORGET_PERSON]
    assert forget["confirm"]["title"]["text"] == texts.FORGET_CONFIRM_TITLE and forget["style"] == "danger"
    person, start = actions.parse_card_older(control(shown, actions.CARD_OLDER))
    assert person == GUY and start


def test_the_longest_card_fits_a_message_and_a_modal(store: FakeStore) -> None:
    long_name = Person("\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466" * 45 + "abcde", mention=False)
    seed(store, long_name, 20, every=timedelta(days=20), note="n" * 495)
    shown = shown_card(store, long_name)
    assert_fits_a_message(card_blocks(shown, NOW, texts.forgotten(12345)))
    modal = card_modal(shown, "t" * 16, NOW).to_dict()
    assert View(**modal).to_dict() == modal


def test_a_typed_name_opens_the_card_as_last_spelled(store: FakeStore) -> None:
    seed(store, GUY, 2)
    assert shown_card(store, Person("random  GUY", mention=False)).person == GUY


# --- /interactions @don ----------------------------------------------------------------------------------


def test_the_command_fills_the_loading_modal_with_the_card_tagged_as_the_members(
    store: FakeStore, slack: FakeSlack
) -> None:
    seed(store, DON, 3)
    seed(store, GUY, 5)
    run("<@U0DON>", store, slack, view_id="V9")
    assert slack.last.where == "modal:V9"
    assert "All time: 3 (2 `+`, 1 `−`)" in slack.last.text
    assert "Random Guy" not in slack.last.text


def test_the_command_without_a_modal_answers_with_the_card(store: FakeStore, slack: FakeSlack) -> None:
    seed(store, GUY, 5)
    said = run('"random guy"', store, slack)
    assert slack.last.where == URL
    assert "All time: 5 (4 `+`, 1 `−`)" in said


@pytest.mark.parametrize("typed", ["@U0DON", '"Random Guy"'])
def test_the_command_opens_the_loading_modal_first_in_the_ack(typed: str) -> None:
    queue, slack = FakeQueue(), FakeSlack()
    assert send(form(typed), queue, slack) == Reply(200)
    assert [said.text for said in slack.opened] == [texts.LOADING]
    assert QueuedCommand.from_json(queue.sent[0]).view_id == "V1"


def test_the_command_that_cannot_be_queued_says_the_card_could_not_be_shown() -> None:
    queue, slack = FakeQueue(failing=RuntimeError("down")), FakeSlack()
    send(form("@U0DON"), queue, slack)
    assert slack.last.text == texts.COULD_NOT_SHOW


def test_the_card_in_a_modal_carries_the_owners_tag(store: FakeStore) -> None:
    modal = card_modal(shown_card(store, DON), view_tag(OWNER, "V9"), NOW)
    assert modal.private_metadata == view_tag(OWNER, "V9")


def test_a_card_that_fails_every_retry_says_nothing_was_changed(store: FakeStore, slack: FakeSlack) -> None:
    report_failure(message("<@U0DON>"), store, slack)
    assert slack.last.text == texts.FAILED_VIEW


# --- Pressing its buttons --------------------------------------------------------------------------------


def test_older_reaches_every_entry_once(store: FakeStore, slack: FakeSlack) -> None:
    seed(store, GUY, 27, note="met")
    seed(store, DON, 5)
    process(pressed(actions.OPEN_CARD, actions.person_value(GUY), surface="modal"), store, slack)
    seen = [slack.last.text]
    while any(c["action_id"] == actions.CARD_OLDER for c in controls(slack.last.blocks)):
        process(
            pressed(actions.CARD_OLDER, control(slack.last.blocks, actions.CARD_OLDER), surface="modal"), store, slack
        )
        seen.append(slack.last.text)
    assert len(seen) == 3
    mark = f"{texts.NOTE_SEPARATOR}met "
    noted = [line.split(mark)[1] for page in seen for line in page.split("\n") if mark in line]
    assert noted == [str(index) for index in range(27)]


def test_forget_deletes_every_entry_of_that_person_and_nothing_else(store: FakeStore, slack: FakeSlack) -> None:
    seed(store, GUY, 4)
    seed(store, Person("random  guy", mention=False), 2)
    seed(store, DON, 3)
    process(pressed(actions.FORGET_PERSON, actions.person_value(GUY)), store, slack)
    assert [e.person for e in store.stored(OWNER)] == [DON] * 3
    assert slack.replaced == [PRESS_URL]
    assert texts.forgotten(6) in slack.last.text
    assert texts.NOTHING_WITH in slack.last.text


def test_forget_in_a_modal_shows_the_emptied_card_there(store: FakeStore, slack: FakeSlack) -> None:
    seed(store, DON, 3)
    slack.view_hashes["V1"] = "newer"
    process(pressed(actions.FORGET_PERSON, actions.person_value(DON), surface="modal", view_hash="old"), store, slack)
    assert store.stored(OWNER) == []
    assert slack.last.where == "modal:V1" and texts.forgotten(3) in slack.last.text


def test_a_forget_that_fails_every_retry_says_some_may_remain(slack: FakeSlack) -> None:
    report_failure(pressed(actions.FORGET_PERSON, actions.person_value(DON)), FakeStore(), slack)
    assert slack.last.text == texts.FAILED_FORGET


def test_open_card_in_a_message_answers_below_it(store: FakeStore, slack: FakeSlack) -> None:
    seed(store, DON, 2)
    process(pressed(actions.OPEN_CARD, actions.person_value(DON)), store, slack)
    assert slack.last.where == PRESS_URL and slack.replaced == []
    assert "All time: 2" in slack.last.text


def test_open_card_on_the_home_tab_without_a_modal_shows_it_there(store: FakeStore, slack: FakeSlack) -> None:
    seed(store, DON, 2)
    process(pressed(actions.OPEN_CARD, actions.person_value(DON), surface="home", view_id="VHOME"), store, slack)
    assert slack.last.where == "home:U0ME" and "All time: 2" in slack.last.text


# --- The person view's buttons ---------------------------------------------------------------------------


def test_each_row_of_a_full_person_view_has_a_button_that_opens_its_card_within_a_message() -> None:
    people = [PersonTotals(positive=1, person=Person(f"P{i}", mention=False), last_at=NOW) for i in range(40)]
    page = Page(Dashboard(mode=Mode.PERSON, page=1), Totals(30, 0), 120, 41, people=people)
    page = replace(page, older=Dashboard(mode=Mode.PERSON, page=2), newer=Dashboard(mode=Mode.PERSON))
    shown = dashboard_blocks(page, "a note")
    assert_fits_a_message(shown)
    buttons = [o for o in walk(as_json(shown)) if o.get("action_id") == actions.OPEN_CARD]
    assert [actions.parse_person(b["value"]) for b in buttons] == [p.person for p in people]
    assert {b["text"]["text"] for b in buttons} == {texts.OPEN_CARD}


def test_the_person_view_pages_40_people_at_a_time(store: FakeStore, slack: FakeSlack) -> None:
    for index in range(45):
        store.add(OWNER, f"c{index}", NOW - timedelta(minutes=index + 1), [Rated(Person(f"P{index}", False), 1)])
    run("person", store, slack, view_id="V3")
    assert sum(1 for c in controls(slack.last.blocks) if c["action_id"] == actions.OPEN_CARD) == 40
    process(
        pressed(actions.OLDER, control(slack.last.blocks, actions.OLDER), surface="modal", view_id="V3"), store, slack
    )
    assert sum(1 for c in controls(slack.last.blocks) if c["action_id"] == actions.OPEN_CARD) == 5


# --- Notes -----------------------------------------------------------------------------------------------


def test_a_logs_note_is_kept_with_each_of_its_entries_and_shown_in_the_list(store: FakeStore, slack: FakeSlack) -> None:
    run("<@U0DON> + Random Guy - -- lunch about *the* budget", store, slack)
    assert [e.note for e in store.stored(OWNER)] == ["lunch about *the* budget"] * 2
    run("", store, slack, command_id="view", view_id="V2")
    assert "<@U0DON> + — lunch about *the* budget" in slack.last.text
    assert "budget" not in mrkdwn(slack.last.blocks)


# --- Opening a card from a press, in the HTTP function ---------------------------------------------------

ME = owner_key(KEY, "T0TEAM", "U0ME")
BUTTON = {
    "type": "button",
    "action_id": actions.OPEN_CARD,
    "text": {"type": "plain_text", "text": "1"},
    "value": actions.person_value(DON),
}
MODAL = {"id": "V0MODAL", "hash": "h1", "type": "modal", "blocks": [], "private_metadata": view_tag(ME, "V0MODAL")}


def press(element: dict[str, Any], slack: FakeSlack | None, **options: Any) -> tuple[int, list[str]]:
    body = interaction_body(block_actions_payload(user="U0ME", team="T0TEAM", block_id="b", element=element, **options))
    from interactions.receive import receive_press
    from interactions.slack.replays import ReplayGuard

    queue = FakeQueue()
    reply = receive_press(
        body,
        signed_headers(SECRET, body, ACK_NOW),
        SETTINGS,
        queue,
        now=lambda: ACK_NOW,
        replays=ReplayGuard(),
        modals=(lambda: slack) if slack is not None else None,
    )
    return reply.status, queue.sent


def test_open_card_in_a_modal_pushes_a_loading_view_the_worker_fills() -> None:
    slack = FakeSlack()
    status, sent = press(BUTTON, slack, surface="modal", view=MODAL)
    assert status == 200
    (pushed,) = slack.opened
    assert pushed.where.startswith("push:") and pushed.text == texts.LOADING
    queued = json.loads(sent[0])
    assert (queued["surface"], queued["view_id"], queued["view_hash"]) == ("modal", "V1", None)


def test_open_card_on_the_home_tab_opens_a_modal() -> None:
    slack = FakeSlack()
    status, sent = press(BUTTON, slack, surface="home", view={**MODAL, "type": "home"})
    assert status == 200 and slack.opened[0].where.startswith("trigger:")
    assert json.loads(sent[0])["surface"] == "modal"


def test_open_card_in_a_message_opens_nothing() -> None:
    slack = FakeSlack()
    status, sent = press(BUTTON, slack, response_url="https://hooks.slack.com/actions/T0TEAM/1/abc")
    assert status == 200 and slack.opened == [] and json.loads(sent[0])["surface"] == "message"


@pytest.mark.parametrize(
    ("action_id", "value"),
    [
        (actions.OPEN_CARD, '{"u":"nobody"}'),
        (actions.FORGET_PERSON, '{"n":""}'),
        (actions.CARD_OLDER, actions.person_value(DON)),  # no start
        (actions.CARD_OLDER, '{"u":"U0DON","s":"../x"}'),
    ],
)
def test_a_card_press_with_a_value_the_app_did_not_write_is_refused(action_id: str, value: str) -> None:
    status, sent = press({**BUTTON, "action_id": action_id, "value": value}, None, surface="modal", view=MODAL)
    assert (status, sent) == (400, [])
