"""`/interactions export` in the worker, with an in-memory store and Slack: what is sent, to whom, and what
the member reads."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from interactions.model import Person, Rated
from interactions.process import report_failure
from interactions.slack import texts
from tests.fakes import FakeSlack, FakeStore
from tests.unit.queued_commands import NOW, OWNER, URL, message, run


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    store.add(OWNER, "c1", NOW - timedelta(days=400), [Rated(Person("U0DON", mention=True), 1)])
    store.add(OWNER, "c2", NOW - timedelta(minutes=1), [Rated(Person("=cmd()", mention=False), -1)])
    store.add("b" * 64, "c3", NOW, [Rated(Person("Someone Else's", mention=False), 1)])
    return store


def test_every_entry_of_all_time_goes_as_a_csv_file_to_the_member(store: FakeStore, slack: FakeSlack) -> None:
    assert run("export", store, slack) == texts.exported(2)
    assert slack.last.where == URL
    (sent,) = slack.files
    assert (sent.user_id, sent.filename, sent.title) == ("U0ME", "interactions-2026-03-15.csv", texts.EXPORT_TITLE)
    assert list(csv.reader(io.StringIO(sent.content.decode("utf-8-sig")))) == [
        ["date", "slack_user_id", "name", "rating", "note"],
        ["2026-03-15T11:59:00Z", "", "'=cmd()", "-", ""],
        ["2025-02-08T12:00:00Z", "U0DON", "", "+", ""],
    ]
    assert store.calls == ["add", "add", "add", "all_entries"]  # read only, nothing stored


def test_an_upload_that_fails_says_it_was_not_sent(store: FakeStore, slack: FakeSlack) -> None:
    slack.files_fail = True
    assert run("export", store, slack) == texts.EXPORT_NOT_SENT
    assert slack.files == []


def test_nothing_logged_sends_no_file(slack: FakeSlack) -> None:
    assert run("export", FakeStore(), slack) == texts.NOTHING_TO_EXPORT
    assert slack.files == []


def test_without_a_bot_token_the_member_is_told_it_is_needed(store: FakeStore, slack: FakeSlack) -> None:
    slack.can_send_files = False
    assert run("export", store, slack) == texts.EXPORT_NEEDS_BOT
    assert store.calls == ["add", "add", "add"]  # not even read


def test_storage_out_of_reach_propagates_for_a_retry(store: FakeStore, slack: FakeSlack) -> None:
    store.failing = ConnectionError("storage down")
    with pytest.raises(ConnectionError):
        run("export", store, slack)
    assert slack.files == [] and slack.said == []


def test_a_failed_export_is_reported_from_the_poison_queue(store: FakeStore, slack: FakeSlack) -> None:
    report_failure(message("export"), store, slack)
    assert slack.last.text == texts.FAILED_EXPORT
