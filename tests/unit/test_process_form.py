"""The worker's side of the log form: the log written as a command's is, on the day met, with its note, and
shown in the form's modal with Undo; a clear or Undo made after it still wins; a closed modal is no failure."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from interactions import presses
from interactions.model import CLEAR_MEMORY, NEGATIVE, POSITIVE, Entry, Person, Rated
from interactions.process import process, report_failure
from interactions.pseudonym import view_tag
from interactions.queue_message import QueuedFormLog, QueuedPress, rated_json
from interactions.slack import actions, texts
from tests.fakes import FakeSlack, FakeStore
from tests.unit.queued_commands import NOW, OWNER

DON, GUY = Person("U0DON", mention=True), Person("Random Guy", mention=False)
RATED = (Rated(DON, POSITIVE), Rated(GUY, NEGATIVE))
TODAY = NOW.date()


def form_log(
    met_on: date = TODAY, *, note: str | None = "Talked budgets", at: datetime = NOW, command_id: str = "f1"
) -> str:
    return QueuedFormLog(command_id, "U0ME", OWNER, at, "V0FORM", met_on.isoformat(), rated_json(RATED), note).to_json()


def test_a_form_log_is_stored_with_its_note_and_shown_in_the_form(store: FakeStore, slack: FakeSlack) -> None:
    process(form_log(), store, slack, now=lambda: NOW)
    assert store.stored(OWNER) == [
        Entry(DON, POSITIVE, NOW, "Talked budgets"),
        Entry(GUY, NEGATIVE, NOW, "Talked budgets"),
    ]
    assert slack.last.where == "modal:V0FORM"
    assert slack.last.text == f"{texts.logged(50)}\nLogged: <@U0DON> +, Random Guy −\nMet on 2026-03-15.\nUndo"
    assert slack.views["V0FORM"].private_metadata == view_tag(OWNER, "V0FORM")  # its Undo is the member's


def test_a_meeting_of_an_earlier_day_is_kept_at_noon_utc_of_that_day(store: FakeStore, slack: FakeSlack) -> None:
    process(form_log(date(2026, 3, 1)), store, slack, now=lambda: NOW)
    assert {entry.at for entry in store.stored(OWNER)} == {datetime(2026, 3, 1, 12, tzinfo=UTC)}


def test_a_form_closed_before_its_log_was_shown_still_keeps_the_log(store: FakeStore) -> None:
    slack = FakeSlack(modals_fail=True)
    process(form_log(), store, slack, now=lambda: NOW)
    assert len(store.stored(OWNER)) == 2


def test_a_clear_made_after_the_form_was_sent_wins_whatever_day_was_met(store: FakeStore, slack: FakeSlack) -> None:
    store.clear(OWNER, NOW + timedelta(seconds=5))
    process(form_log(date(2026, 3, 1)), store, slack, now=lambda: NOW)
    assert store.stored(OWNER) == []
    assert slack.last.text == texts.LOGGED_BEFORE_CLEAR


def test_a_form_log_sent_after_a_clear_of_an_earlier_day_is_kept(store: FakeStore, slack: FakeSlack) -> None:
    store.clear(OWNER, NOW - timedelta(seconds=5))
    process(form_log(date(2026, 3, 1)), store, slack, now=lambda: NOW)
    assert len(store.stored(OWNER)) == 2


def test_a_form_sent_before_a_forget_but_logged_after_it_keeps_only_the_others(
    store: FakeStore, slack: FakeSlack
) -> None:
    store.forget(OWNER, Person("random  guy", mention=False), NOW + timedelta(seconds=5))

    process(form_log(date(2026, 3, 1)), store, slack, now=lambda: NOW)

    assert store.stored(OWNER) == [Entry(DON, POSITIVE, datetime(2026, 3, 1, 12, tzinfo=UTC), "Talked budgets")]
    assert "Logged: <@U0DON> +\n" in slack.last.text


def test_a_form_of_only_people_forgotten_since_it_was_sent_keeps_nothing_and_says_so(
    store: FakeStore, slack: FakeSlack
) -> None:
    store.forget(OWNER, DON, NOW + timedelta(seconds=5))
    store.forget(OWNER, GUY, NOW + timedelta(seconds=5))

    process(form_log(), store, slack, now=lambda: NOW)

    assert store.stored(OWNER) == []
    assert (slack.last.where, slack.last.text) == ("modal:V0FORM", texts.LOGGED_BEFORE_FORGET)


def test_a_form_log_that_waited_longer_than_a_clear_is_remembered_is_refused(
    store: FakeStore, slack: FakeSlack
) -> None:
    process(form_log(at=NOW - CLEAR_MEMORY - timedelta(seconds=1)), store, slack, now=lambda: NOW)
    assert store.stored(OWNER) == []
    assert slack.last.text == texts.TOO_OLD


def test_undo_in_the_forms_modal_removes_the_log_and_says_so_there(store: FakeStore, slack: FakeSlack) -> None:
    process(form_log(date(2026, 3, 1)), store, slack, now=lambda: NOW)
    undo = next(
        element
        for block in slack.views["V0FORM"].blocks
        for element in block.to_dict().get("elements", [])
        if element.get("action_id") == actions.UNDO
    )
    pressed = QueuedPress("p1", "U0ME", OWNER, NOW, actions.UNDO, undo["value"], "modal", None, "V0FORM", None)
    presses.press(pressed, store, slack)
    assert store.stored(OWNER) == []
    assert slack.last.where == "modal:V0FORM"
    assert slack.last.text.startswith("Undone.")


def test_a_form_log_that_failed_every_retry_says_so_in_the_form(store: FakeStore, slack: FakeSlack) -> None:
    report_failure(form_log(), store, slack)
    assert slack.last == slack.said[-1] and slack.last.where == "modal:V0FORM"
    assert slack.last.text == texts.FAILED_NOTHING_SAVED
    process(form_log(date(2026, 3, 1)), store, slack, now=lambda: NOW)
    report_failure(form_log(date(2026, 3, 1)), store, slack)
    assert slack.last.text == texts.FAILED_LOG_SAVED
