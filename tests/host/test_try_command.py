"""What `make try` sends and how it prints what Slack would show."""

from __future__ import annotations

from local.try_command import Ack, plain, render
from testkit.slack_requests import slack_text


def test_typed_text_is_escaped_as_slack_sends_it() -> None:
    assert slack_text("@U0DON + @W12AB - @don + Tom & Jerry <3 -") == (
        "<@U0DON> + <@W12AB> - @don + Tom &amp; Jerry &lt;3 -"
    )
    assert slack_text("mail@U0DON @Ursula +") == "mail@U0DON @Ursula +"


def test_slack_markup_reads_as_slack_shows_it() -> None:
    assert plain("<@U0DON> and <@U0PAL|pal> on <!date^1700000000^{date_short}|2023-11-14 22:13 UTC>") == (
        "@U0DON and @U0PAL on 2023-11-14 22:13 UTC"
    )
    assert plain("<#C1|general> <!here> <https://x.test|a link> &lt;3 &amp;") == (
        "#general @here a link (https://x.test) <3 &"
    )


def test_messages_and_modals_render_as_text() -> None:
    message = {
        "kind": "message",
        "payload": {
            "text": "fallback, not shown",
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": "Title"}},
                {"type": "section", "text": {"type": "mrkdwn", "text": "*Yours*\n<@U0DON> +"}},
                {"type": "context", "elements": [{"type": "mrkdwn", "text": "2 interactions"}]},
                {"type": "divider"},
            ],
        },
    }
    assert render(message).splitlines() == [
        "Only visible to you:",
        "  Title",
        "  =====",
        "  *Yours*",
        "  @U0DON +",
        "  2 interactions",
        "  " + "-" * 40,
    ]
    modal = {"kind": "modal", "payload": {"title": {"text": "Yours"}, "blocks": [], "loading": True}}
    assert render(modal).splitlines() == ["┌─ Modal: Yours", "│ (still loading)", "└─"]


def test_the_ack_is_printed_only_when_it_says_something() -> None:
    assert Ack(200, b"").describe() is None
    assert Ack(401, b"").describe() == "The app answered HTTP 401 (no body)."
    assert Ack(200, b'{"response_type": "ephemeral", "text": "Sorry &amp; retry"}').describe() == (
        "Only visible to you:\n  Sorry & retry"
    )
