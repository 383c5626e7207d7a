"""The Block Kit of answers, and the pieces of the dashboard: valid for Slack and within its limits."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from slack_sdk.models.blocks import Block, SectionBlock, TextObject

from interactions.model import MAX_NAME_CODE_POINTS, NEGATIVE, Entry, Person, Rated
from interactions.reports import BucketTotals, Period, Totals
from interactions.slack import actions
from interactions.slack import texts as said
from interactions.slack.blocks import (
    TEXT_CHARACTERS,
    bucket_rows,
    loading_modal,
    logged,
    summary,
    text_blocks,
    text_modal,
    undone,
)
from interactions.slack.mrkdwn import who
from interactions.slack.texts import HELP

NOW = datetime(2024, 3, 15, 12, 0, tzinfo=UTC)
MESSAGE_BLOCKS = 50  # Slack's most in a message


def section_texts(blocks: list[Block]) -> list[str]:
    texts: list[str] = []
    for block in blocks:
        assert isinstance(block, SectionBlock), block
        assert isinstance(block.text, TextObject), block.text
        texts.append(block.text.text)
    return texts


def assert_valid_message(blocks: list[Block]) -> None:
    assert 0 < len(blocks) <= MESSAGE_BLOCKS
    for block in blocks:
        block.validate_json()
    assert all(0 < len(text) <= TEXT_CHARACTERS for text in section_texts(blocks))


# --- The pieces of the dashboard, and people in mrkdwn ----------------------------------------------------


def test_the_summary_is_singular_for_one_and_only_counts_under_a_filter() -> None:
    assert summary(Totals(1, 0)) == "1 interaction: 1 `+`, 0 `−`, 100% positive"
    assert summary(Totals(0, 4), NEGATIVE) == "4 negative interactions"


def test_a_mention_is_written_for_slack_to_name_and_a_typed_name_escaped() -> None:
    assert who(Person("U123", mention=True)) == "<@U123>"
    assert who(Person("<@U999> & <!here>", mention=False)) == "&lt;@U999&gt; &amp; &lt;!here&gt;"


def test_bucket_rows_label_weeks_and_months() -> None:
    buckets = [BucketTotals(positive=3, negative=1, start=date(2024, 3, 11))]
    (week,) = bucket_rows(buckets, Period.WEEK)
    (month,) = bucket_rows([BucketTotals(positive=0, negative=2, start=date(2024, 3, 1))], Period.MONTH)
    assert week.startswith("`week of 2024-03-11` ")
    assert "4 (3 `+`, 1 `−`) · 75% positive" in week
    assert month.startswith("`2024-03` ")


def test_bucket_bars_scale_to_the_busiest_period() -> None:
    buckets = [
        BucketTotals(positive=10, negative=10, start=date(2024, 3, 2)),
        BucketTotals(positive=5, negative=0, start=date(2024, 3, 1)),
    ]
    busiest, quieter = bucket_rows(buckets, Period.DAY)
    assert "█" * 10 + "░" * 10 + " " in busiest
    assert "█" * 5 + " " in quieter
    assert "░" not in quieter


# --- Plain text and modals -----------------------------------------------------------------------------


def test_help_fits_and_validates() -> None:
    blocks = text_blocks(HELP)
    assert_valid_message(blocks)
    assert "\n".join(section_texts(blocks)) == HELP


def test_long_text_is_split_within_limits() -> None:
    line = "word " * 1000  # 5000 characters on one line
    text = "\n".join([line] * 5)
    blocks = text_blocks(text)
    assert_valid_message(blocks)
    assert "".join(section_texts(blocks)).replace("\n", "") == text.replace("\n", "")


def test_loading_and_apology_modals_validate() -> None:
    for view, text in [(loading_modal(), said.LOADING), (text_modal(said.FAILED_VIEW), said.FAILED_VIEW)]:
        sent = view.to_dict()  # validates
        assert (sent["type"], sent["title"]["text"], sent["close"]["text"]) == ("modal", said.MODAL_TITLE, "Close")
        assert section_texts(list(view.blocks or [])) == [text]


# --- A log's answer, and an Undo's ---------------------------------------------------------------------------

DON, TYPED = Person("U0DON", mention=True), Person("*Random* _Guy_ `x` <https://x|y>", mention=False)
UNDO = actions.UndoTarget("0123456789abcdef0123456789abcdef", NOW, 2, "0123456789abcdef")


def rich_elements(blocks: list[Block]) -> list[dict[str, object]]:
    """The elements of the answer's one rich text section: who, and how."""
    (rich,) = [block.to_dict() for block in blocks if block.type == "rich_text"]
    (section,) = rich["elements"]
    assert section["type"] == "rich_text_section"
    elements: list[dict[str, object]] = section["elements"]
    return elements


def test_a_log_answers_the_percentage_and_who_with_names_as_typed() -> None:
    blocks = logged(67, [Rated(DON, 1), Rated(TYPED, -1)], UNDO)
    assert_valid_message_json(blocks)
    assert blocks[0].to_dict()["text"]["text"] == said.logged(67)
    assert rich_elements(blocks) == [
        {"type": "text", "text": "Logged: "},
        {"type": "user", "user_id": "U0DON"},
        {"type": "text", "text": " +"},
        {"type": "text", "text": ", "},
        {"type": "text", "text": TYPED.name},
        {"type": "text", "text": " −"},
    ]


def test_a_log_answer_has_an_undo_button_for_that_log() -> None:
    blocks = logged(100, [Rated(DON, 1)], UNDO)
    (button,) = [e for block in blocks if block.type == "actions" for e in block.to_dict()["elements"]]
    assert (button["type"], button["action_id"], button["text"]["text"]) == ("button", actions.UNDO, "Undo")
    assert actions.parse_undo(button["value"]) == UNDO


def test_an_undo_answers_the_new_percentage_and_names_each_entry() -> None:
    entries = [Entry(DON, 1, NOW), Entry(TYPED, -1, NOW)]
    blocks = undone(67, entries)
    assert_valid_message_json(blocks)
    assert "67% for positive interactions in the last 30 days" in blocks[0].to_dict()["text"]["text"]
    assert rich_elements(blocks)[0] == {"type": "text", "text": "Undone: "}
    assert {"type": "user", "user_id": "U0DON"} in rich_elements(blocks)
    assert {"type": "text", "text": TYPED.name} in rich_elements(blocks)
    assert not any(block.type == "actions" for block in blocks)  # nothing left to press


def test_an_undo_of_nothing_left_just_gives_the_percentage() -> None:
    blocks = undone(50, [])
    assert_valid_message_json(blocks)
    assert [block.type for block in blocks] == ["section"]


def assert_valid_message_json(blocks: list[Block]) -> None:
    assert 0 < len(blocks) <= MESSAGE_BLOCKS
    sent = [block.to_dict() for block in blocks]  # validates
    assert json.loads(json.dumps(sent)) == sent
    assert [parsed.to_dict() for block in sent if (parsed := Block.parse(block)) is not None] == sent


def test_a_name_stored_with_bidi_controls_before_they_were_taken_out_shows_without_them() -> None:
    from interactions.model import Person
    from interactions.slack.blocks import person_element

    assert person_element(Person("Ali\u202ece \u2067Bob\u2069", mention=False)) == {"type": "text", "text": "Alice Bob"}


def test_a_control_carries_a_person_back_as_they_were_named() -> None:
    for person in (Person("U0DON", mention=True), Person("Random  Guy ☕", mention=False)):
        assert actions.parse_person(actions.person_value(person)) == person


def test_a_control_naming_nobody_or_a_made_up_person_is_refused() -> None:
    for value in (
        '{"u":"don"}',
        '{"n":" "}',
        '{"n":"a\\nb"}',
        '{"u":"U0DON","n":"Don"}',
        "[]",
        '{"n":"' + "x" * 400 + '"}',
    ):
        try:
            actions.parse_person(value)
        except actions.BadValue:
            continue
        raise AssertionError(f"{value} was taken")


def test_a_control_carries_the_longest_name_within_a_buttons_value() -> None:
    longest = Person("\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466" * 45 + "abcde", mention=False)
    assert len(longest.name) == MAX_NAME_CODE_POINTS
    for value in (actions.person_value(longest), actions.card_older_value(longest, "1" * 13 + "-" + "a" * 32 + "-00")):
        assert len(value) <= actions.MAX_VALUE_CHARACTERS
    assert actions.parse_person(actions.person_value(longest)) == longest
    assert actions.parse_card_older(actions.card_older_value(longest, "k1")) == (longest, "k1")
