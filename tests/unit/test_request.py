"""What arrives from Slack: only signed, fresh requests get in, and the slash command form is read right."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import pytest

from interactions.grammar import parse
from interactions.model import MAX_NAME_CODE_POINTS, MAX_PEOPLE, Log
from interactions.slack.replays import ReplayGuard
from interactions.slack.request import (
    MAX_BODY_BYTES,
    REQUIRED_FIELDS,
    MissingFields,
    SlashCommand,
    ephemeral,
    is_signed,
    is_ssl_check,
    slash_command,
)
from testkit import slack_requests

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
NOW = 1_700_000_000
BODY = (
    b"command=%2Finteractions&text=%3C%40U2%7CMaelle%3E+%2B&user_id=U1&team_id=T1"
    b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fx"
)


def signed_headers(body: bytes = BODY, timestamp: int | str = NOW, secret: str = SECRET) -> dict[str, str]:
    return slack_requests.signed_headers(secret, body, timestamp)


def at(seconds: float) -> Callable[[], float]:
    return lambda: seconds


# --- Signatures ----------------------------------------------------------------------------------------


def test_a_fresh_signed_request_is_accepted() -> None:
    assert is_signed(SECRET, BODY, signed_headers(), now=at(NOW))


def test_header_names_are_case_insensitive() -> None:
    headers = {name.lower(): value for name, value in signed_headers().items()}
    assert is_signed(SECRET, BODY, headers, now=at(NOW))


@pytest.mark.parametrize("age", [-300, -1, 0, 1, 299, 300])
def test_within_five_minutes_either_way_is_accepted(age: int) -> None:
    assert is_signed(SECRET, BODY, signed_headers(timestamp=NOW - age), now=at(NOW))


@pytest.mark.parametrize("age", [301, 3600, -301, -3600])
def test_stale_or_future_requests_are_refused(age: int) -> None:
    # a replay of a request signed 301 s ago, or a timestamp more than 5 minutes ahead
    assert not is_signed(SECRET, BODY, signed_headers(timestamp=NOW - age), now=at(NOW))


def test_signed_with_another_secret_is_refused() -> None:
    assert not is_signed(SECRET, BODY, signed_headers(secret="not-our-secret"), now=at(NOW))


def test_a_changed_body_is_refused() -> None:
    headers = signed_headers()
    assert not is_signed(SECRET, BODY.replace(b"U1", b"U9"), headers, now=at(NOW))


def test_a_signature_for_another_timestamp_is_refused() -> None:
    headers = signed_headers(timestamp=NOW - 10)
    headers["X-Slack-Request-Timestamp"] = str(NOW)
    assert not is_signed(SECRET, BODY, headers, now=at(NOW))


@pytest.mark.parametrize("missing", ["X-Slack-Request-Timestamp", "X-Slack-Signature"])
def test_missing_headers_are_refused(missing: str) -> None:
    headers = signed_headers()
    del headers[missing]
    assert not is_signed(SECRET, BODY, headers, now=at(NOW))


def test_no_headers_at_all_is_refused() -> None:
    assert not is_signed(SECRET, BODY, {}, now=at(NOW))


@pytest.mark.parametrize("timestamp", ["yesterday", "", "1.7e9", "1700000000.5", "0x6553F100"])
def test_a_timestamp_that_is_not_a_number_is_refused_not_raised(timestamp: str) -> None:
    assert not is_signed(SECRET, BODY, signed_headers(timestamp=timestamp), now=at(NOW))


def test_a_signed_body_that_is_not_utf8_is_signed_all_the_same() -> None:
    body = b"command=%2Finteractions&text=\xff\xfe"
    assert is_signed(SECRET, body, signed_headers(body), now=at(NOW))
    assert not is_signed(SECRET, body + b"\xff", signed_headers(body), now=at(NOW))
    assert not is_signed("another-secret", body, signed_headers(body), now=at(NOW))


def test_a_garbage_signature_is_refused() -> None:
    headers = {"X-Slack-Request-Timestamp": str(NOW), "X-Slack-Signature": "v0=nothex"}
    assert not is_signed(SECRET, BODY, headers, now=at(NOW))


# --- The slash command form ----------------------------------------------------------------------------

FORM = {
    **slack_requests.command_form(
        "U2147483697", "T0001", "/interactions", "<@U2|Maelle> + Random Guy -", "https://x", as_typed=False
    ),
    "response_url": "https://hooks.slack.com/commands/1234/5678",
    "trigger_id": "13345224609.738474920.8088930838d88f008e0",
}


def form(**changes: str | None) -> bytes:
    fields = {**FORM, **changes}
    return urlencode({k: v for k, v in fields.items() if v is not None}).encode()


def test_a_slash_command_keeps_only_the_fields_the_app_uses() -> None:
    assert slash_command(form()) == SlashCommand(
        command="/interactions",
        text="<@U2|Maelle> + Random Guy -",
        user_id="U2147483697",
        team_id="T0001",
        response_url="https://hooks.slack.com/commands/1234/5678",
        trigger_id="13345224609.738474920.8088930838d88f008e0",
    )


def test_a_plus_sign_in_the_text_survives_form_encoding() -> None:
    # Slack encodes "+" as %2B; a raw "+" in a form is a space
    assert slash_command(form(text="@don + Bob -")).text == "@don + Bob -"
    assert b"%2B" in form(text="+")


def test_unicode_text() -> None:
    assert slash_command(form(text="李雷 + Maëlle −")).text == "李雷 + Maëlle −"


def test_the_longest_command_the_grammar_takes_fits_in_a_body() -> None:
    # Every person a name of as many code points as a name may have, each 4 bytes of UTF-8 sent as %XX.
    character = "\U0001f3f4\U000e0067\U000e0062\U000e007f"  # a flag and its tags: one character, 4 code points
    text = " ".join(f"{character * (MAX_NAME_CODE_POINTS // 4)} +" for _ in range(MAX_PEOPLE))
    command = parse(text, "U2147483697")
    assert isinstance(command, Log) and len(command.entries) == MAX_PEOPLE
    assert len(form(text=text)) <= MAX_BODY_BYTES


def test_empty_text_is_allowed() -> None:
    assert slash_command(form(text="")).text == ""


def test_trigger_id_is_optional() -> None:
    assert slash_command(form(trigger_id=None)).trigger_id is None


@pytest.mark.parametrize("name", REQUIRED_FIELDS)
def test_a_missing_field_is_named(name: str) -> None:
    with pytest.raises(MissingFields, match=name):
        slash_command(form(**{name: None}))


@pytest.mark.parametrize("name", [n for n in REQUIRED_FIELDS if n != "text"])
def test_an_empty_field_other_than_text_is_missing(name: str) -> None:
    with pytest.raises(MissingFields, match=name):
        slash_command(form(**{name: ""}))


def test_all_missing_fields_are_named() -> None:
    with pytest.raises(MissingFields) as caught:
        slash_command(b"")
    assert str(caught.value) == ", ".join(REQUIRED_FIELDS)


@pytest.mark.parametrize(
    ("field", "value"),
    [("user_id", "U0ME>&x"), ("user_id", "u0me"), ("user_id", "U" * 65), ("team_id", "T 1"), ("enterprise_id", "<E>")],
)
def test_ids_not_of_slacks_shape_are_refused(field: str, value: str) -> None:
    with pytest.raises(MissingFields) as caught:
        slash_command(form(**{field: value}))
    assert str(caught.value) == field


def test_a_body_that_is_not_utf8_is_not_a_slash_command() -> None:
    with pytest.raises(UnicodeDecodeError):
        slash_command(form() + b"&x=\xff")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"ssl_check=1&token=abc", True),
        (b"token=abc&ssl_check=1", True),
        (b"ssl_check=0&token=abc", False),
        (form(), False),
        (b"", False),
        (b"\xff\xfe\x00", False),
    ],
)
def test_is_ssl_check(body: bytes, expected: bool) -> None:
    assert is_ssl_check(body) is expected


def test_answers_are_ephemeral() -> None:
    assert ephemeral("Hi") == {"response_type": "ephemeral", "text": "Hi"}


def test_replay_guard_refuses_a_second_copy_until_the_window_has_passed() -> None:
    guard = ReplayGuard(window_seconds=300, limit=3)
    first = {"X-Slack-Signature": "v0=aaa"}

    assert guard.first_time(first, now=1000)
    assert not guard.first_time({"x-slack-signature": "v0=aaa"}, now=1100)
    assert guard.first_time(first, now=1301)  # older than the window: the signature check refuses it anyway


def test_replay_guard_remembers_a_signature_as_long_as_its_timestamp_is_accepted() -> None:
    guard = ReplayGuard(window_seconds=300)
    ahead = {"X-Slack-Signature": "v0=bbb", "X-Slack-Request-Timestamp": "1290"}  # 290 s ahead of us

    assert guard.first_time(ahead, now=1000)
    assert not guard.first_time(ahead, now=1305)  # still within 5 minutes of its timestamp: a replay
    assert not guard.first_time(ahead, now=1589)
    assert guard.first_time(ahead, now=1591)  # the signature check refuses it by now anyway


def test_replay_guard_forgets_the_oldest_beyond_its_limit() -> None:
    guard = ReplayGuard(window_seconds=300, limit=2)
    for name in ("a", "b", "c"):
        assert guard.first_time({"X-Slack-Signature": name}, now=1000)

    assert guard.first_time({"X-Slack-Signature": "a"}, now=1001)
    assert not guard.first_time({"X-Slack-Signature": "c"}, now=1001)
