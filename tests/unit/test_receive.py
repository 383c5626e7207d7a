"""The HTTP use case, every branch, with an in-memory queue and Slack: what Slack gets back within its 3
seconds, and what is queued for the worker."""

from __future__ import annotations

import json

import pytest

from interactions.model import MAX_NAME_LENGTH, MAX_PEOPLE
from interactions.ports import OutcomeUnknown
from interactions.pseudonym import owner_key
from interactions.queue_message import QueuedCommand
from interactions.receive import Reply, receive
from interactions.slack import texts
from interactions.slack.replays import ReplayGuard
from interactions.slack.request import MAX_BODY_BYTES
from testkit.slack_requests import signed_headers
from tests.fakes import FakeQueue, FakeSlack
from tests.unit.slash_commands import KEY, NOW, SECRET, SETTINGS, SLACK_URL, WITH_TOKEN, form, send


def queued(queue: FakeQueue) -> QueuedCommand:
    (message,) = queue.sent
    return QueuedCommand.from_json(message)


def test_a_log_is_queued_and_acknowledged_with_an_empty_200() -> None:
    queue = FakeQueue()
    assert send(form("@U0DON + Random Guy -"), queue) == Reply(200)
    message = queued(queue)
    assert message.text == "<@U0DON> + Random Guy -"
    assert message.user_id == "U0ME"
    assert message.owner == owner_key(KEY, "T0TEAM", "U0ME")
    assert message.received_at.timestamp() == NOW
    assert message.response_url.startswith(SLACK_URL)
    assert message.view_id is None


def test_a_log_opens_no_modal_even_with_a_bot_token() -> None:
    queue, slack = FakeQueue(), FakeSlack()
    assert send(form("Maelle +"), queue, slack) == Reply(200)
    assert slack.opened == []
    assert queued(queue).view_id is None


def test_a_view_opens_the_loading_modal_first_and_the_worker_fills_it() -> None:
    queue, slack = FakeQueue(), FakeSlack()
    assert send(form("90 person"), queue, slack) == Reply(200)
    assert [said.text for said in slack.opened] == [texts.LOADING]
    assert queued(queue).view_id == "V1"


def test_a_view_whose_modal_cannot_open_is_answered_as_a_message() -> None:
    queue, slack = FakeQueue(), FakeSlack(open_fails=True)
    assert send(form(""), queue, slack) == Reply(200)
    assert queued(queue).view_id is None


def test_a_clear_is_queued_for_the_worker() -> None:
    queue, slack = FakeQueue(), FakeSlack()
    assert send(form("clear"), queue, slack) == Reply(200)
    assert queued(queue).text == "clear"
    assert slack.opened == []


def test_an_export_without_a_bot_token_is_answered_in_the_ack_and_nothing_queued() -> None:
    queue = FakeQueue(failing=ConnectionError("storage plays no part"))
    reply = send(form("export"), queue)
    assert reply == Reply(200, {"response_type": "ephemeral", "text": texts.EXPORT_NEEDS_BOT})


def test_an_export_with_a_bot_token_is_queued_for_the_worker_without_a_modal() -> None:
    queue, slack = FakeQueue(), FakeSlack()
    assert send(form("export"), queue, slack, settings=WITH_TOKEN) == Reply(200)
    assert queued(queue).text == "export"
    assert slack.opened == []


def test_an_export_that_could_not_be_queued_says_so() -> None:
    reply = send(form("export"), FakeQueue(failing=ConnectionError("refused")), settings=WITH_TOKEN)
    assert reply == Reply(200, {"response_type": "ephemeral", "text": texts.COULD_NOT_EXPORT})


def test_help_is_answered_in_the_ack_and_nothing_queued() -> None:
    queue = FakeQueue(failing=ConnectionError("storage plays no part"))
    assert send(form("help"), queue) == Reply(200, {"response_type": "ephemeral", "text": texts.HELP})


@pytest.mark.parametrize("text", ["Alice", "Alice ++", "-5", "help me"])
def test_a_usage_mistake_is_answered_in_the_ack_and_nothing_queued(text: str) -> None:
    queue, slack = FakeQueue(failing=ConnectionError("storage plays no part")), FakeSlack()
    reply = send(form(text), queue, slack)
    assert reply.status == 200 and reply.body is not None
    assert reply.body["response_type"] == "ephemeral"
    assert reply.body["text"].endswith(texts.USAGE)
    assert slack.opened == []


def test_an_unsigned_request_is_refused_and_nothing_queued() -> None:
    queue = FakeQueue()
    assert send(form("Alice +"), queue, secret="not-the-secret") == Reply(401)
    assert queue.sent == []


def test_a_request_older_than_five_minutes_is_refused() -> None:
    queue = FakeQueue()
    assert send(form("Alice +"), queue, timestamp=NOW - 301) == Reply(401)
    assert queue.sent == []


def test_a_replayed_request_is_refused_once_it_was_taken() -> None:
    queue, replays, body = FakeQueue(), ReplayGuard(), form("Alice +")
    assert send(body, queue, replays=replays) == Reply(200)
    assert send(body, queue, replays=replays) == Reply(401)
    assert len(queue.sent) == 1


def test_a_signed_body_over_the_limit_is_answered_with_why() -> None:
    queue = FakeQueue()
    reply = send(form("x" * MAX_BODY_BYTES), queue)
    assert reply == Reply(200, {"response_type": "ephemeral", "text": texts.TOO_LARGE})
    assert queue.sent == []


def test_an_unsigned_body_over_the_limit_is_refused() -> None:
    queue = FakeQueue()
    assert send(form("x" * MAX_BODY_BYTES), queue, secret="not-the-secret") == Reply(413)
    assert queue.sent == []


def test_every_command_within_the_apps_limits_is_accepted() -> None:
    # 25 people, each a name of 80 characters of a script that takes 3 bytes a character in UTF-8.
    text = " ".join(f"{chr(0x4E00 + person) * MAX_NAME_LENGTH} +" for person in range(MAX_PEOPLE))
    queue = FakeQueue()
    assert send(form(text), queue) == Reply(200)
    assert queued(queue).text == text


def test_a_replay_with_a_timestamp_ahead_of_ours_is_refused_after_five_minutes_too() -> None:
    queue, replays, body = FakeQueue(), ReplayGuard(), form("Alice +")
    assert send(body, queue, timestamp=NOW + 290, replays=replays) == Reply(200)
    again = receive(
        body, signed_headers(SECRET, body, NOW + 290), SETTINGS, queue, now=lambda: NOW + 305, replays=replays
    )
    assert again == Reply(401)
    assert len(queue.sent) == 1


def test_an_answer_address_outside_the_allowed_prefixes_is_refused_and_nothing_queued() -> None:
    queue = FakeQueue()
    reply = send(form("Alice +", response_url="https://attacker.example/hooks/x"), queue)
    assert reply == Reply(200, {"response_type": "ephemeral", "text": texts.UNKNOWN_RESPONSE_URL})
    assert queue.sent == []


def test_slacks_ssl_check_is_answered_without_a_signature() -> None:
    queue = FakeQueue()
    reply = receive(b"ssl_check=1&token=x", {}, SETTINGS, queue, now=lambda: NOW, replays=ReplayGuard())
    assert reply == Reply(200)
    assert queue.sent == []


def test_a_signed_form_without_the_fields_of_a_command_is_refused() -> None:
    queue = FakeQueue()
    reply = send(form("Alice +", user_id=None), queue)  # type: ignore[arg-type]  # None leaves the field out of the form
    assert reply == Reply(200, {"response_type": "ephemeral", "text": texts.MISSING_FIELDS})
    assert queue.sent == []


def test_a_signed_body_that_is_not_utf8_is_malformed_not_unsigned() -> None:
    queue = FakeQueue()
    reply = send(form("<@U0DON> +") + b"&x=\xff", queue)
    assert reply.status == 400
    assert queue.sent == []


def test_a_user_id_not_of_slacks_shape_is_refused_and_nothing_queued() -> None:
    queue = FakeQueue()
    reply = send(form("<@U0DON> +", user="U0ME&forged"), queue)
    assert reply.body == {"response_type": "ephemeral", "text": texts.MISSING_FIELDS}
    assert queue.sent == []


def test_another_command_is_told_which_ones_this_app_answers() -> None:
    queue = FakeQueue()
    reply = send(form("Alice +", command="/other"), queue)
    assert reply == Reply(200, {"response_type": "ephemeral", "text": texts.WRONG_COMMAND})
    assert queue.sent == []


def test_the_singular_command_is_the_same() -> None:
    queue = FakeQueue()
    assert send(form("Alice +", command="/interaction"), queue) == Reply(200)
    assert queued(queue).text == "Alice +"


def test_a_queue_out_of_reach_tells_the_member_to_try_again() -> None:
    reply = send(form("Alice +"), FakeQueue(failing=ConnectionError("refused")))
    assert reply == Reply(200, {"response_type": "ephemeral", "text": texts.COULD_NOT_RECORD})


def test_a_log_that_may_have_been_queued_is_not_to_be_typed_again_blindly() -> None:
    reply = send(form("Alice +"), FakeQueue(failing=OutcomeUnknown()))
    assert reply == Reply(200, {"response_type": "ephemeral", "text": texts.MAYBE_RECORDED})


def test_a_view_that_may_have_been_queued_is_safe_to_ask_again() -> None:
    reply = send(form("90"), FakeQueue(failing=OutcomeUnknown()))
    assert reply == Reply(200, {"response_type": "ephemeral", "text": texts.COULD_NOT_SHOW})


def test_a_clear_that_could_not_be_queued_says_so() -> None:
    reply = send(form("clear"), FakeQueue(failing=ConnectionError("refused")))
    assert reply == Reply(200, {"response_type": "ephemeral", "text": texts.COULD_NOT_CLEAR})


def test_a_failed_view_replaces_the_loading_modal_and_says_it_once() -> None:
    slack = FakeSlack()
    reply = send(form("90"), FakeQueue(failing=ConnectionError("refused")), slack)
    assert reply == Reply(200)  # no ephemeral copy: the modal says it
    assert [(s.where, s.text) for s in slack.said] == [("modal:V1", texts.COULD_NOT_SHOW)]


def test_a_failed_view_whose_modal_cannot_be_updated_says_it_as_a_message() -> None:
    slack = FakeSlack()
    slack.modals_fail = True
    reply = send(form("90"), FakeQueue(failing=ConnectionError("refused")), slack)
    assert reply == Reply(200, {"response_type": "ephemeral", "text": texts.COULD_NOT_SHOW})


def test_the_queued_message_holds_nothing_the_worker_does_not_need() -> None:
    queue = FakeQueue()
    send(form("Alice +"), queue)
    fields = json.loads(queue.sent[0])
    assert set(fields) == {
        *("v", "kind", "command_id", "user_id", "owner", "text", "response_url", "received_at", "view_id")
    }
    assert "C0LOCALCHANNEL" not in queue.sent[0] and "local-user" not in queue.sent[0]  # channel, user name
