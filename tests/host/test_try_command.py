"""What `make try` sends and how it prints what Slack would show."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from local.try_command import Ack, as_read, block_lines, offer_controls, plain, render
from testkit.slack_requests import slack_text
from tests.sample_blocks import CLEAR, DAYS, SPAN, UNDO

README = Path(__file__).resolve().parents[2] / "README.md"
NOW = datetime(2023, 11, 20, 15, 0, tzinfo=UTC)  # a Monday; 1700000000 is Tuesday 2023-11-14 22:13:20 UTC


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


def test_formatting_shows_without_its_marks() -> None:
    assert plain("*Yours* `+`") == "*Yours* `+`"  # kept by plain, for checks on the text as sent
    assert as_read("*Yours* _all_ ~gone~ `+` and ```a *b*\nc```", NOW) == "Yours all gone + and a *b*\nc"
    assert as_read("*<@U0DON>* `Tom &amp; Jerry` `−`", NOW) == "@U0DON Tom & Jerry −"
    # Marks inside words, or around a space, are not formatting; nor is what a link or a mention holds.
    assert as_read("2*3*4 snake_case_name * not bold * <https://x.test/a_b_c|a_b_c>", NOW) == (
        "2*3*4 snake_case_name * not bold * a_b_c (https://x.test/a_b_c)"
    )


def test_dates_show_as_slack_shows_them_in_utc() -> None:
    def date(stamp: int, tokens: str) -> str:
        return as_read(f"<!date^{stamp}^{tokens}|fallback 2023-11-14 22:13 UTC>", NOW)

    assert date(1700000000, "{date_short_pretty}") == "Nov 14, 2023"  # a date only: the format has no {time}
    assert date(1700000000, "{date_short_pretty} {time}") == "Nov 14, 2023 10:13 PM"
    assert date(1700000000, "{date_num} {date} {time_secs}") == "2023-11-14 November 14th, 2023 10:13:20 PM"
    assert date(1700000000, "{date_long}, {ago}") == "Tuesday, November 14th, 2023, 5 days ago"
    assert date(1700438400, "{date_short_pretty} at {time}") == "Today at 12:00 AM"  # 2023-11-20 00:00 UTC
    assert date(1700438400 - 1, "seen {date_pretty}") == "seen yesterday"
    assert date(1700000000, "{no_such_token}") == "fallback 2023-11-14 22:13 UTC"
    assert as_read("<!date^soon^{date}|fallback>", NOW) == "fallback"


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
        "  Yours",
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


def test_the_readme_says_how_mentions_are_typed_locally() -> None:
    readme = README.read_text()
    headline, run_locally = readme[: readme.index("## Two commands")], readme[readme.index("## Run locally") :]
    run_locally = run_locally[: run_locally.index("\n## ", 1)]

    assert "`@don`" in headline and "make try @U0DON" in headline  # beside the example typed in Slack
    assert "`@don`" in run_locally and "`@U0DON`" in run_locally
    typed = re.findall(r"^make try (.*?)(?:\s+#|$)", run_locally, re.MULTILINE)
    mentions = [word for line in typed for word in line.split() if word.startswith("@")]
    assert mentions and all(re.fullmatch(r"@[UW][A-Z0-9]+", word) for word in mentions), typed


# --- What Slack shows: rich text, the Home tab, and the controls to press ------------------------------------

NAMES: dict[str, Any] = {
    "type": "rich_text",
    "elements": [
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
                            "fallback": "x",
                        },
                        {"type": "text", "text": " · "},
                        {"type": "user", "user_id": "U0DON"},
                        {"type": "text", "text": " +"},
                    ],
                },
                {"type": "rich_text_section", "elements": [{"type": "text", "text": "*Tom* & `Jerry` −"}]},
            ],
        }
    ],
}


def test_rich_text_reads_as_typed_with_mentions_and_dates_as_slack_shows_them() -> None:
    blocks = [NAMES, {"type": "actions", "elements": [SPAN, UNDO]}]
    assert block_lines(blocks, NOW) == [
        "• Nov 14, 2023 10:13 PM · @U0DON +",
        "• *Tom* & `Jerry` −",  # rich text has no markup: the marks are what was typed
        "[Span: 30 days ▾]  [Undo]",
    ]
    home = {"kind": "home", "payload": {"type": "home", "blocks": [{"type": "divider"}]}}
    assert render(home).splitlines() == ["┌─ Home tab", "│ " + "-" * 40, "└─"]


def test_each_control_shown_is_numbered_and_kept_for_press(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shown = [
        {
            "kind": "message",
            "index": 4,
            "payload": {"blocks": [{"type": "actions", "block_id": "b1", "elements": [UNDO]}]},
        },
        {
            "kind": "message",
            "index": 5,
            "deleted": True,
            "payload": {"blocks": [{"type": "actions", "elements": [UNDO]}]},
        },
        {
            "kind": "modal",
            "index": 6,
            "view_id": "V1",
            "payload": {"blocks": [{"type": "actions", "block_id": "b2", "elements": [SPAN, CLEAR]}]},
        },
    ]
    offer_controls(shown, "U0ME", "T0TEAM", tmp_path)

    assert capsys.readouterr().out.splitlines() == [
        "To press one: make press N",
        "  [1] Undo",
        "  [2] Span: 7 days",
        "  [3] Span: 30 days (current)",
        "  [4] Clear all my logs (asks to confirm)",
        "To answer Cancel when [4] asks: make press 4 cancel",
    ]
    kept = json.loads((tmp_path / "U0ME.json").read_text())
    assert (kept["user"], kept["team"]) == ("U0ME", "T0TEAM")
    first, span = kept["controls"][0], kept["controls"][1]
    assert (first["surface"], first["index"], first["block_id"], first["element"]) == ("message", 4, "b1", UNDO)
    assert (span["surface"], span["view_id"], span["option"], span["type"]) == ("modal", "V1", DAYS[0], "static_select")
