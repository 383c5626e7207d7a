"""Whatever reaches the HTTP endpoint, it answers clearly and never with a 5xx; only Slack's own,
fresh, signed requests are queued."""

from __future__ import annotations

import json
import time
import urllib.parse
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interactions.slack.request import MAX_BODY_BYTES
from tests.e2e.conftest import App, signed_headers

pytestmark = pytest.mark.e2e

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
HEADER_NAMES = st.sampled_from(
    ["X-Slack-Signature", "X-Slack-Request-Timestamp", "Content-Type", "Content-Length", "x-slack-signature"]
)
HEADER_VALUES = st.one_of(
    st.text(max_size=80),
    st.from_regex(r"v0=[0-9a-f]{64}", fullmatch=True),
    st.integers(-(10**12), 10**12).map(str),
)
FORM_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=300)


@FUZZ
@given(body=st.binary(max_size=4096), headers=st.dictionaries(HEADER_NAMES, HEADER_VALUES, max_size=4))
def test_noise_gets_a_clear_answer_and_no_5xx(app: App, body: bytes, headers: dict[str, str]) -> None:
    response = app.post(body, headers=headers)

    assert response.status_code in (200, 401, 413)  # 200: Slack's ssl_check, which does nothing
    assert app.waiting() == []


@FUZZ
@given(data=st.data())
def test_a_signed_request_changed_anywhere_is_refused(app: App, data: st.DataObject) -> None:
    body = urllib.parse.urlencode({**app.form("U0FUZZ", "<@U0DON> +"), "nonce": uuid.uuid4().hex}).encode()
    headers = signed_headers(body)
    part = data.draw(st.sampled_from(["body", "signature", "timestamp"]))
    if part == "body":
        at = data.draw(st.integers(0, len(body) - 1))
        body = body[:at] + bytes([body[at] ^ data.draw(st.integers(1, 255))]) + body[at + 1 :]
    elif part == "signature":
        signature = headers["X-Slack-Signature"]
        at = data.draw(st.integers(3, len(signature) - 1))
        other = data.draw(st.sampled_from([c for c in "0123456789abcdef" if c != signature[at]]))
        headers["X-Slack-Signature"] = signature[:at] + other + signature[at + 1 :]
    else:
        headers["X-Slack-Request-Timestamp"] = str(
            int(headers["X-Slack-Request-Timestamp"]) + data.draw(st.integers(1, 9))
        )

    response = app.post(body, headers=headers)

    assert response.status_code == 401
    assert app.waiting() == []


@FUZZ
@given(
    fields=st.dictionaries(
        st.sampled_from(["command", "text", "user_id", "team_id", "response_url", "trigger_id", "channel_id"]),
        FORM_TEXT,
    ),
    encoding=st.sampled_from(["utf-8", "latin-1", "utf-16"]),
)
def test_signed_forms_of_any_shape_get_a_clear_answer(app: App, fields: dict[str, str], encoding: str) -> None:
    unique = {**fields, "nonce": uuid.uuid4().hex}  # Hypothesis repeats examples: a repeat is a replay
    body = urllib.parse.urlencode(unique, encoding=encoding, errors="replace").encode()

    response = app.post(body)

    assert response.status_code == 200  # signed: Slack shows the member why, when it was refused
    if app.waiting():
        assert response.get_body() == b""  # queued: the worker answers
        app.queue.clear_messages()
    else:
        assert json.loads(response.get_body())["response_type"] == "ephemeral"


@FUZZ
@given(text=FORM_TEXT)
def test_any_text_from_slack_is_queued_once_or_answered_at_once(app: App, text: str) -> None:
    response = app.send("U0FUZZ", text)

    assert response.status_code == 200
    if response.get_body():  # help or a mistake: answered in the acknowledgement
        assert json.loads(response.get_body())["response_type"] == "ephemeral"
        assert app.waiting() == []
    else:
        assert len(app.waiting()) == 1
        app.queue.clear_messages()


@FUZZ
@given(age=st.one_of(st.integers(301, 10**9), st.integers(-(10**9), -301)))
def test_stale_or_future_timestamps_are_refused(app: App, age: int) -> None:
    body = urllib.parse.urlencode(app.form("U0FUZZ", "<@U0DON> +")).encode()

    response = app.post(body, headers=signed_headers(body, timestamp=int(time.time()) - age))

    assert response.status_code == 401
    assert app.waiting() == []


def test_a_replayed_request_is_refused(app: App) -> None:
    body = urllib.parse.urlencode(app.form("U0FUZZ", "<@U0DON> +")).encode()
    headers = signed_headers(body)

    assert app.post(body, headers=headers).status_code == 200
    assert app.post(body, headers=headers).status_code == 401
    assert len(app.waiting()) == 1


@FUZZ
@given(extra=st.integers(1, 64 * 1024), signed=st.booleans())
def test_oversize_bodies_are_refused(app: App, extra: int, signed: bool) -> None:
    body = b"text=" + b"x" * (MAX_BODY_BYTES - 5 + extra)

    response = app.post(body, headers=signed_headers(body) if signed else {})

    assert response.status_code == (200 if signed else 413)  # signed: the member reads why
    assert app.waiting() == []
