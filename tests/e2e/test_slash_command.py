"""/interactions as a member uses it: signed requests in, answers out at the Slack stand-in."""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import urllib.parse
from datetime import UTC, datetime, timedelta

import pytest
from azure.functions import QueueMessage
from azure.storage.queue import QueueMessage as QueueMessageOnQueue

from interactions import settings as setting
from interactions.storage_account import CONNECTION
from local.slack_standin import Failure
from testkit.functions import registered_functions
from testkit.waiting import wait_until
from tests.conftest import PSEUDONYM_KEY
from tests.e2e.conftest import TEAM, App, text_of

pytestmark = pytest.mark.e2e

DON = "U0DON"
MAELLE = "U0MAELLE"
ME = "U0ME"


def test_log_answers_with_the_positive_percentage(app: App) -> None:
    shown = app.command(ME, f"<@{DON}|don> + <@{MAELLE}> + Random Guy -")

    assert shown.kind == "message"
    assert shown.payload["response_type"] == "ephemeral"
    assert shown.payload["text"] == "Got it! You're 67% for positive interactions in the last 30 days."

    shown = app.command(ME, "Someone Else -")
    assert shown.payload["text"] == "Got it! You're 50% for positive interactions in the last 30 days."


def test_view_lists_newest_first_and_filters(app: App) -> None:
    app.command(ME, "<@U0DON> +")
    app.command(ME, "Random Guy -")

    everything = text_of(app.command(ME, ""))
    assert "Your interactions, the last 30 days" in everything
    assert everything.index("Random Guy") < everything.index("<@U0DON>")
    assert "2 interactions: 1 `+`, 1 `−`, 50% positive" in everything

    positive = text_of(app.command(ME, "+"))
    assert "<@U0DON>" in positive and "Random Guy" not in positive
    negative = text_of(app.command(ME, "90 -"))
    assert "Your negative interactions, the last 90 days" in negative
    assert "Random Guy" in negative and "<@U0DON>" not in negative


def test_views_open_a_modal_that_the_worker_fills(modal_app: App) -> None:
    modal_app.command(ME, "<@U0DON> +")

    response = modal_app.send(ME, "90 person")
    assert response.status_code == 200
    (opened,) = [s for s in modal_app.slack.shown(ME) if s.kind == "modal"]
    assert opened.payload.get("loading")
    assert json.loads(modal_app.waiting()[0])["view_id"] == opened.view_id

    modal_app.run_worker()
    (modal,) = [s for s in modal_app.slack.wait_for(ME, 2) if s.kind == "modal"]
    assert modal.payload["title"]["text"] == "Your interactions"
    assert "<@U0DON> · 1 (1 +, 0 −) · 100% positive" in text_of(modal)


def test_a_big_report_for_a_modal_closed_meanwhile_comes_as_a_message_that_pages(
    modal_app: App, app_env: dict[str, str]
) -> None:
    from azure.data.tables import TableClient

    from interactions.pseudonym import owner_key
    from interactions.store import row_key

    owner = owner_key(PSEUDONYM_KEY.encode(), TEAM, ME)
    table = TableClient.from_connection_string(app_env[CONNECTION], app_env[setting.TABLE])
    table.create_table()
    start = datetime.now(UTC) - timedelta(minutes=1)
    for first in range(0, 3000, 100):  # more rows than 50 blocks of 3000 characters hold
        batch = []
        for index in range(first, first + 100):
            at = start - timedelta(minutes=index)
            entity = {"PartitionKey": owner, "RowKey": row_key(at, f"c{index}", 0), "Person": f"Person {index}"}
            batch.append(("upsert", {**entity, "Mention": False, "Rating": 1, "At": at}))
        table.submit_transaction(batch)

    modal_app.send(ME, "90")
    modal_app.slack.close_modals()
    modal_app.run_worker()

    message = modal_app.slack.wait_for(ME, 2)[-1]
    assert message.kind == "message"
    assert "3,000 interactions" in text_of(message)
    assert "Entries 1–50 of 3,000" in text_of(message)
    assert [control.label for control in message.controls() if control.action_id == "dashboard_older"] == ["Older"]


def test_clear_deletes_all_of_my_logs_and_nobody_elses(app: App, app_env: dict[str, str]) -> None:
    app.command(ME, "<@U0DON> + Random Guy -")
    app.command(DON, "<@U0ME> +")

    assert app.command(ME, "clear").payload["text"] == "Thanks! Your interaction logs are cleared."
    assert app.command(ME, "CLEAR").payload["text"] == "Thanks! Your interaction logs are cleared."

    assert "No interactions logged" in text_of(app.command(ME, "3650"))
    assert "<@U0ME>" in text_of(app.command(DON, ""))


def received_at(message: QueueMessageOnQueue) -> datetime:
    return datetime.fromisoformat(json.loads(message.content)["received_at"])


def test_a_log_typed_before_a_clear_is_not_kept_even_when_run_after_it(app: App) -> None:
    assert app.send(ME, "Random Guy +").status_code == 200
    assert app.send(ME, "clear").status_code == 200
    received = app.queue.receive_messages(max_messages=2, visibility_timeout=30)
    log, clear = sorted(received, key=lambda message: '"text":"clear"' in message.content)
    assert received_at(log) < received_at(clear)  # as when the member types the clear next

    for message in (clear, log):  # the clear first: a batch runs them at once, or the log was redelivered
        registered_functions()["process_queued_message"](QueueMessage(id=message.id, body=message.content.encode()))
        app.queue.delete_message(message)

    assert [s.payload["text"] for s in app.slack.wait_for(ME, 2)] == [
        "Thanks! Your interaction logs are cleared.",
        "You cleared your logs after typing that, so those interactions were not kept.",
    ]
    assert [e["PartitionKey"] for e in app.stored()] == ["cleared"]


def test_help_and_the_singular_alias(app: App) -> None:
    shown = app.command(ME, "help")
    assert "/interactions @don + @Maelle + Random Guy -" in text_of(shown)
    assert "/interactions clear" in text_of(shown)

    assert json.loads(app.send(ME, "help", command="/interaction").get_body())["text"] == text_of(shown)
    assert app.waiting() == []


def storage_goes_down(app_env: dict[str, str], port: int = 9) -> None:
    """Point the app's queue at ``port``: by default one where nothing listens."""
    queue_port = app_env[CONNECTION].split("QueueEndpoint=http://127.0.0.1:")[1].split("/")[0]
    os.environ[CONNECTION] = app_env[CONNECTION].replace(f":{queue_port}/", f":{port}/")


def test_storage_down_gets_an_answer_not_a_dispatch_failure(app: App, app_env: dict[str, str]) -> None:
    storage_goes_down(app_env)

    response = app.send(ME, "<@U0DON> +")

    assert response.status_code == 200
    assert json.loads(response.get_body()) == {
        "response_type": "ephemeral",
        "text": "Sorry, I couldn't record that, please try again.",
    }


def test_a_log_that_may_have_been_queued_is_not_to_be_sent_again(app: App, app_env: dict[str, str]) -> None:
    with socket.socket() as silent:  # takes the request, then hangs up without an answer
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]

        def hang_up_twice() -> None:
            for _ in range(2):
                silent.accept()[0].close()

        hang_up = threading.Thread(target=hang_up_twice, daemon=True)
        hang_up.start()
        storage_goes_down(app_env, port)

        log = json.loads(app.send(ME, "<@U0DON> +").get_body())["text"]
        view = json.loads(app.send(ME, "90").get_body())["text"]

    assert log == "Sorry, I can't tell whether I recorded that: `/interactions` shows your logs, so check there first."
    assert view == "Sorry, I couldn't show your logs, please try again."  # a view is safe to try again


def test_a_redelivered_message_is_processed_once(app: App) -> None:
    app.send(ME, "<@U0DON> + Random Guy -")
    (message,) = app.queue.receive_messages(max_messages=1, visibility_timeout=1)
    from azure.functions import QueueMessage

    registered_functions()["process_queued_message"](QueueMessage(id=message.id, body=message.content.encode()))
    # The worker "crashed" before deleting: the message comes back once its visibility timeout ends.
    assert wait_until(app.run_worker, 10, "the undeleted message delivered again") == 1

    assert len(app.stored()) == 4  # two entries, and their person rows
    assert "2 interactions" in text_of(app.command(ME, ""))


def test_answers_only_go_to_slack(app: App, caplog: pytest.LogCaptureFixture) -> None:
    elsewhere = app.slack.url + "/elsewhere/" + ME  # a live server, but outside SLACK_RESPONSE_URL_PREFIXES
    body = urllib.parse.urlencode({**app.form(ME, "<@U0DON> +"), "response_url": elsewhere}).encode()
    requests_before = app.slack.requests

    refused = app.post(body)

    assert refused.status_code == 200
    assert "SLACK_RESPONSE_URL_PREFIXES" in json.loads(refused.get_body())["text"]
    assert app.waiting() == []
    # A message queued before this check existed is still never answered there.
    app.queue.send_message(app.queued_message(ME, "<@U0DON> +", response_url=elsewhere))
    app.run_worker()
    assert app.slack.requests == requests_before  # never fetched
    assert "Refused to answer through a response_url outside SLACK_RESPONSE_URL_PREFIXES" in caplog.text


def test_logs_hold_no_user_ids_names_or_text(app: App, modal_app: App, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret_words = ["Zebulon Quartermaine", "U0SECRETPAL", "U0ME", "T0TEAM", "local-user", "C0LOCALCHANNEL"]

    app.command(ME, "<@U0SECRETPAL> + Zebulon Quartermaine -")
    app.command(ME, "90 person")
    app.command(ME, "Zebulon Quartermaine person")  # a usage error, answered in the acknowledgement
    app.slack.fail_next(Failure(500), Failure(500), Failure(500))  # an answer given up
    app.send(ME, "Zebulon Quartermaine +")
    app.run_worker()
    modal_app.send(ME, "90")
    app.slack.close_modals()  # a modal that can't be updated
    app.run_worker()
    app.queue.send_message("Zebulon Quartermaine <@U0SECRETPAL> not a message")  # malformed
    app.run_worker()
    app.command(ME, "clear")
    app.slack.reset()

    assert "Processing a command: log." in caplog.text
    for word in secret_words:
        assert word.lower() not in caplog.text.lower()


def test_a_command_that_fails_every_retry_is_reported_from_the_poison_queue(app: App) -> None:
    from azure.functions import QueueMessage

    app.send(ME, "<@U0DON> +")
    (message,) = app.queue.receive_messages(max_messages=1)
    table = os.environ[setting.TABLE]
    os.environ[setting.TABLE] = "not a table name"  # every write fails, as with storage gone bad
    with pytest.raises(Exception, match="invalid characters"):
        registered_functions()["process_queued_message"](QueueMessage(id=message.id, body=message.content.encode()))
    assert app.slack.shown(ME) == []

    os.environ[setting.TABLE] = table  # the host moved the message to <queue>-poison
    registered_functions()["report_failed_message"](QueueMessage(id=message.id, body=message.content.encode()))

    (shown,) = app.slack.wait_for(ME, 1)
    assert "that command failed: nothing was saved. Please try again." in shown.payload["text"]
    assert app.stored() == []
