"""The worker's use cases, every branch, with an in-memory store and Slack: what is stored, and what the
member reads."""

from __future__ import annotations

from datetime import timedelta

import pytest

from interactions.model import CLEAR_MEMORY, Entry, Person, Rated
from interactions.process import process, report_failure
from interactions.slack import texts
from tests.fakes import FakeSlack, FakeStore
from tests.unit.queued_commands import NOW, OWNER, URL, message, run

DON, MAELLE, GUY = Person("U0DON", mention=True), Person("U0MAELLE", mention=True), Person("Random Guy", mention=False)


def test_a_log_stores_each_person_and_answers_the_percentage_and_who(store: FakeStore, slack: FakeSlack) -> None:
    said = run("<@U0DON> + <@U0MAELLE> + Random Guy -", store, slack)
    assert said == f"{texts.logged(67)}\nLogged: <@U0DON> +, <@U0MAELLE> +, Random Guy −\nUndo"
    assert store.stored(OWNER) == [Entry(DON, 1, NOW), Entry(MAELLE, 1, NOW), Entry(GUY, -1, NOW)]
    assert slack.last.where == URL


def test_the_percentage_counts_the_last_30_days_only(store: FakeStore, slack: FakeSlack) -> None:
    store.add(OWNER, "old", NOW - timedelta(days=31), [Rated(GUY, -1)])
    assert run("<@U0DON> +", store, slack).startswith(texts.logged(100))


def test_the_same_message_twice_stores_its_entries_once(store: FakeStore, slack: FakeSlack) -> None:
    run("<@U0DON> +", store, slack)
    run("<@U0DON> +", store, slack)
    assert len(store.stored(OWNER)) == 1


def test_a_log_that_waited_longer_than_a_clear_is_remembered_is_refused(store: FakeStore, slack: FakeSlack) -> None:
    old = NOW - CLEAR_MEMORY - timedelta(seconds=1)
    assert run("<@U0DON> +", store, slack, at=old) == texts.TOO_OLD
    assert store.calls == []


def test_a_log_typed_before_a_clear_but_carried_out_after_it_removes_itself(store: FakeStore, slack: FakeSlack) -> None:
    run("clear", store, slack, at=NOW)
    assert run("<@U0DON> +", store, slack, at=NOW - timedelta(seconds=5), command_id="earlier") == (
        texts.LOGGED_BEFORE_CLEAR
    )
    assert store.stored(OWNER) == []


def test_two_words_with_one_rating_are_one_person_and_the_answer_says_so(store: FakeStore, slack: FakeSlack) -> None:
    assert run("Alice Bob +", store, slack).endswith("Logged: Alice Bob +\nUndo")


def test_names_in_the_answer_show_as_typed(store: FakeStore, slack: FakeSlack) -> None:
    assert run("Tom &amp; Jerry &lt;3 -", store, slack).endswith("Logged: Tom & Jerry <3 −\nUndo")
    assert run("*bold* _it_ ~st~ `tick` +", store, slack).endswith("Logged: *bold* _it_ ~st~ `tick` +\nUndo")


def test_a_log_typed_after_a_clear_is_kept_whatever_the_order(store: FakeStore, slack: FakeSlack) -> None:
    run("<@U0DON> +", store, slack, at=NOW + timedelta(seconds=5), command_id="later")
    run("clear", store, slack, at=NOW)
    assert store.stored(OWNER) == [Entry(DON, 1, NOW + timedelta(seconds=5))]


def test_a_log_typed_before_a_forget_but_carried_out_after_it_keeps_only_the_others(
    store: FakeStore, slack: FakeSlack
) -> None:
    store.forget(OWNER, Person("random  GUY", mention=False), NOW)

    said = run("<@U0DON> + Random Guy -", store, slack, at=NOW - timedelta(seconds=5), command_id="earlier")

    assert said.endswith("Logged: <@U0DON> +\nUndo")
    assert store.stored(OWNER) == [Entry(DON, 1, NOW - timedelta(seconds=5))]
    assert list(store.person_history(OWNER, GUY)) == []


def test_a_log_of_only_people_forgotten_after_it_was_typed_is_not_kept(store: FakeStore, slack: FakeSlack) -> None:
    store.forget(OWNER, DON, NOW)

    assert run("<@U0DON> +", store, slack, at=NOW - timedelta(seconds=5)) == texts.LOGGED_BEFORE_FORGET
    assert store.stored(OWNER) == []


def test_a_log_typed_after_a_forget_is_kept(store: FakeStore, slack: FakeSlack) -> None:
    store.forget(OWNER, DON, NOW)

    assert run("<@U0DON> +", store, slack, at=NOW + timedelta(seconds=5)).endswith("Logged: <@U0DON> +\nUndo")
    assert store.stored(OWNER) == [Entry(DON, 1, NOW + timedelta(seconds=5))]


def test_clear_deletes_everything_and_says_so(store: FakeStore, slack: FakeSlack) -> None:
    store.add(OWNER, "c0", NOW - timedelta(days=400), [Rated(DON, 1), Rated(GUY, -1)])
    assert run("clear", store, slack) == texts.CLEARED
    assert store.stored(OWNER) == []


def test_help_is_the_help(store: FakeStore, slack: FakeSlack) -> None:
    assert run("help", store, slack) == texts.HELP
    assert store.calls == []


def test_a_mistake_is_answered_with_what_went_wrong_and_the_usage(store: FakeStore, slack: FakeSlack) -> None:
    said = run("Alice", store, slack)
    assert "`Alice` needs a rating" in said and said.endswith(texts.USAGE)
    assert store.calls == []


def test_a_malformed_message_is_dropped_without_an_answer(
    store: FakeStore, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    process(b"\xff not json", store, slack)
    assert slack.said == [] and store.calls == []
    assert "Dropped a malformed queue message" in caplog.text


def test_storage_errors_propagate_so_that_the_host_retries(store: FakeStore, slack: FakeSlack) -> None:
    store.failing = ConnectionError("storage down")
    with pytest.raises(ConnectionError):
        process(message("<@U0DON> +"), store, slack, now=lambda: NOW)
    assert slack.said == []


# --- Views ---------------------------------------------------------------------------------------------


@pytest.fixture
def logged(store: FakeStore) -> FakeStore:
    store.add(OWNER, "a", NOW - timedelta(days=2), [Rated(DON, 1)])
    store.add(OWNER, "b", NOW - timedelta(days=1), [Rated(GUY, -1)])
    store.add(OWNER, "c", NOW - timedelta(days=60), [Rated(MAELLE, 1)])
    return store


def test_a_view_lists_the_span_newest_first_with_a_summary(logged: FakeStore, slack: FakeSlack) -> None:
    said = run("", logged, slack)
    assert texts.heading(30, None) in said
    assert "2 interactions: 1 `+`, 1 `−`, 50% positive" in said
    assert said.index("Random Guy") < said.index("<@U0DON>")
    assert "U0MAELLE" not in said


def test_a_longer_span_reaches_older_entries(logged: FakeStore, slack: FakeSlack) -> None:
    assert "<@U0MAELLE>" in run("90", logged, slack)


def test_a_filter_keeps_one_rating(logged: FakeStore, slack: FakeSlack) -> None:
    said = run("-", logged, slack)
    assert texts.heading(30, -1) in said
    assert "Random Guy" in said and "U0DON" not in said
    assert "1 negative interaction" in said


def test_a_filtered_view_shows_no_figure_the_filter_makes_constant(logged: FakeStore, slack: FakeSlack) -> None:
    for text in ("90 person -", "90 time -", "90 -", "90 person +"):
        said = run(text, logged, slack)
        assert "% positive" not in said and "`−`)" not in said, said


def test_a_view_typed_like_a_log_says_how_to_log_such_a_name(logged: FakeStore, slack: FakeSlack) -> None:
    assert 'put it in double quotes, as in `/interactions "Time" -`.' in run("Time -", logged, slack)
    assert 'put it in double quotes, as in `/interactions "42" +`.' in run("42 +", logged, slack)
    assert 'as in `/interactions "person" −`.' in run("− person", logged, slack)  # the rating as typed, after
    assert "put it in double quotes" not in run("90 person", logged, slack)


def test_person_totals(logged: FakeStore, slack: FakeSlack) -> None:
    said = run("90 person", logged, slack)
    assert texts.heading(90, None, "person") in said
    assert "<@U0DON> · 1 (1 +, 0 −) · 100% positive" in said


def test_time_totals_pick_their_period_from_the_span(logged: FakeStore, slack: FakeSlack) -> None:
    assert texts.heading(7, None, "day") in run("7 time", logged, slack)
    assert texts.heading(90, None, "week") in run("90 time", logged, slack)
    assert texts.heading(365, None, "month") in run("365 time", logged, slack)


def test_an_empty_span_says_so(slack: FakeSlack, store: FakeStore) -> None:
    assert texts.nothing_logged(30, 1) in run("+", store, slack)


def test_a_view_fills_its_loading_modal(logged: FakeStore, slack: FakeSlack) -> None:
    said = run("", logged, slack, view_id="V9")
    assert slack.last.where == "modal:V9"
    assert "Random Guy" in said


def test_a_view_whose_modal_was_closed_comes_as_a_message(logged: FakeStore, slack: FakeSlack) -> None:
    slack.modals_fail = True
    said = run("", logged, slack, view_id="V9")
    assert slack.last.where == URL
    assert "Random Guy" in said


# --- Commands that failed every retry ------------------------------------------------------------------


def report(text: str, store: FakeStore, slack: FakeSlack, view_id: str | None = None) -> str:
    report_failure(message(text, view_id=view_id), store, slack)
    return slack.last.text


def test_a_failed_log_that_was_saved_says_so(store: FakeStore, slack: FakeSlack) -> None:
    run("<@U0DON> +", store, slack)
    assert report("<@U0DON> +", store, slack) == texts.FAILED_LOG_SAVED


def test_a_failed_log_that_was_not_saved_says_so(store: FakeStore, slack: FakeSlack) -> None:
    assert report("<@U0DON> +", store, slack) == texts.FAILED_NOTHING_SAVED


def test_a_failed_log_with_storage_still_down_says_it_cannot_tell(store: FakeStore, slack: FakeSlack) -> None:
    store.failing = ConnectionError("storage down")
    assert report("<@U0DON> +", store, slack) == texts.FAILED_LOG_UNKNOWN


def test_a_failed_clear_asks_for_another(store: FakeStore, slack: FakeSlack) -> None:
    assert report("clear", store, slack) == texts.FAILED_CLEAR


def test_a_failed_view_says_nothing_changed_in_its_modal(store: FakeStore, slack: FakeSlack) -> None:
    assert report("90", store, slack, view_id="V3") == texts.FAILED_VIEW
    assert slack.last.where == "modal:V3"


def test_a_failed_view_whose_modal_is_gone_comes_as_a_message(store: FakeStore, slack: FakeSlack) -> None:
    slack.modals_fail = True
    assert report("90", store, slack, view_id="V3") == texts.FAILED_VIEW
    assert slack.last.where == URL


def test_a_poison_message_that_is_no_command_is_dropped(store: FakeStore, slack: FakeSlack) -> None:
    report_failure(b"{}", store, slack)
    report_failure(message("Alice"), store, slack)
    assert slack.said == []
