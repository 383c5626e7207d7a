"""The dashboard as the member sees it: valid for Slack anywhere it is shown, within a message's limits, names
shown exactly as typed, and controls that each carry what pressing them shows."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from interactions.dashboard import PAGE_SIZE, PEOPLE_PAGE_SIZE, SPANS, Dashboard, Page
from interactions.model import NEGATIVE, POSITIVE, Entry, Mode, Person
from interactions.reports import BucketTotals, Period, PersonTotals, Totals
from interactions.slack import actions, texts
from interactions.slack.blocks import TEXT_CHARACTERS
from interactions.slack.dashboard import dashboard_blocks, dashboard_home, dashboard_message, dashboard_modal

NOW = datetime(2024, 3, 15, 12, 0, tzinfo=UTC)
MARKUP_NAMES = ["*bold*", "_it_", "~st~", "`tick`", "<https://x|y>"]
MESSAGE_BLOCKS = 50  # Slack's most in a message; the dashboard keeps to it wherever it is shown
FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # one grapheme of seven code points


def long_name(i: int) -> str:
    """80 graphemes, 548 code points."""
    return f"{i:02d}" + FAMILY * 78


def entry(person: Person, rating: int = POSITIVE, minutes_ago: int = 0) -> Entry:
    return Entry(person, rating, NOW - timedelta(minutes=minutes_ago))


def list_page(
    entries: list[Entry],
    dashboard: Dashboard | None = None,
    *,
    count: int | None = None,
    first: int = 1,
    older: Dashboard | None = None,
    newer: Dashboard | None = None,
) -> Page:
    totals = Totals(sum(e.rating > 0 for e in entries), sum(e.rating < 0 for e in entries))
    shown = dashboard or Dashboard(totals=(totals.positive, totals.negative))
    return Page(shown, totals, totals.count if count is None else count, first, entries, older=older, newer=newer)


def people_page(people: list[PersonTotals], dashboard: Dashboard | None = None, **paging: Any) -> Page:
    totals = Totals(sum(p.positive for p in people), sum(p.negative for p in people))
    shown = dashboard or Dashboard(mode=Mode.PERSON)
    return Page(shown, totals, paging.pop("count", len(people)), paging.pop("first", 1), people=people, **paging)


def buckets_page(buckets: list[BucketTotals], period: Period = Period.WEEK, **paging: Any) -> Page:
    totals = Totals(sum(b.positive for b in buckets), sum(b.negative for b in buckets))
    shown = paging.pop("dashboard", Dashboard(days=90, mode=Mode.TIME))
    count, first = paging.pop("count", len(buckets)), paging.pop("first", 1)
    return Page(shown, totals, count, first, buckets=buckets, period=period, **paging)


def full_page(mode: Mode) -> Page:
    """A page of rows of the longest names, with Older and Newer: the most a page holds."""
    older, newer = Dashboard(mode=mode, page=2), Dashboard(mode=mode, page=0)
    if mode is Mode.LIST:
        rows = [entry(Person(long_name(i), mention=False), POSITIVE if i % 3 else NEGATIVE, i) for i in range(50)]
        middle = Dashboard(page=1, start="1" * 13 + "-" + "a" * 32 + "-00", totals=(6667, 3333))
        return list_page(rows, middle, count=10_000, first=51, older=older, newer=newer)
    if mode is Mode.PERSON:
        people = [
            PersonTotals(positive=900, negative=99, person=Person(long_name(i), mention=False), last_at=NOW)
            for i in range(PEOPLE_PAGE_SIZE)
        ]
        return people_page(people, Dashboard(mode=mode, page=1), count=120, first=41, older=older, newer=newer)
    buckets = [
        BucketTotals(positive=9000, negative=999, start=date(2024, 3, 11) - timedelta(weeks=i)) for i in range(50)
    ]
    return buckets_page(buckets, Period.WEEK, count=200, first=51, older=older, newer=newer)


# --- Looking into what Slack receives ----------------------------------------------------------------------


def as_json(blocks: list[Block]) -> list[dict[str, Any]]:
    return [block.to_dict() for block in blocks]  # to_dict() validates against Slack's rules


def walk(value: Any) -> Iterator[dict[str, Any]]:
    """Every object in the JSON, depth first."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def strings(blocks: list[Block]) -> list[str]:
    """Every text Slack shows, of every kind."""
    return [obj["text"] for obj in walk(as_json(blocks)) if isinstance(obj.get("text"), str)]


def mrkdwn(blocks: list[Block]) -> list[str]:
    return [obj["text"] for obj in walk(as_json(blocks)) if obj.get("type") == "mrkdwn"]


def of_type(blocks: list[Block], kind: str) -> list[dict[str, Any]]:
    return [obj for obj in walk(as_json(blocks)) if obj.get("type") == kind]


def rich_text_texts(blocks: list[Block]) -> list[str]:
    rich = [block for block in as_json(blocks) if block["type"] == "rich_text"]
    return [obj["text"] for obj in walk(rich) if obj.get("type") == "text"]


def list_items(blocks: list[Block]) -> list[list[dict[str, Any]]]:
    """The rows of a list or person view: the elements of each item of its rich text list."""
    (rich_list,) = of_type(blocks, "rich_text_list")
    return [section["elements"] for section in rich_list["elements"]]


def element(blocks: list[Block], action_id: str) -> dict[str, Any]:
    (found,) = [obj for obj in walk(as_json(blocks)) if obj.get("action_id") == action_id]
    return found


def menu(blocks: list[Block], action_id: str) -> tuple[str, list[tuple[str, Dashboard]]]:
    """The chosen label, and each choice with what it shows."""
    select = element(blocks, action_id)
    choices = [(o["text"]["text"], actions.parse_dashboard(o["value"])) for o in select["options"]]
    assert select["initial_option"] in select["options"]
    return select["initial_option"]["text"]["text"], choices


def buttons(blocks: list[Block]) -> dict[str, dict[str, Any]]:
    return {obj["action_id"]: obj for obj in of_type(blocks, "button")}


def contexts(blocks: list[Block]) -> list[str]:
    return [e["text"] for block in as_json(blocks) if block["type"] == "context" for e in block["elements"]]


def assert_fits_a_message(blocks: list[Block]) -> None:
    assert 0 < len(blocks) <= MESSAGE_BLOCKS
    sent = as_json(blocks)
    assert json.loads(json.dumps(sent)) == sent
    assert [parsed.to_dict() for block in sent if (parsed := Block.parse(block)) is not None] == sent
    assert all(0 < len(text) <= TEXT_CHARACTERS for text in strings(blocks))


def assert_valid_view(view: View) -> None:
    sent = view.to_dict()
    assert json.loads(json.dumps(sent)) == sent
    assert View(**sent).to_dict() == sent


SURFACES: dict[str, Callable[[Page, str | None], list[Block]]] = {
    "modal": lambda page, note: list(dashboard_modal(page, "0" * 16, note).blocks or []),
    "home": lambda page, note: list(dashboard_home(page, note).blocks or []),
    "message": lambda page, note: dashboard_message(page, note)[1],
}


# --- Valid and within limits wherever it is shown ----------------------------------------------------------


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("mode", list(Mode))
def test_a_full_page_of_the_longest_names_fits_a_message(surface: str, mode: Mode) -> None:
    blocks = SURFACES[surface](full_page(mode), texts.CLEARED)
    assert_fits_a_message(blocks)
    assert {"Older", "Newer", texts.CLEAR_BUTTON} <= {b["text"]["text"] for b in buttons(blocks).values()}


@pytest.mark.parametrize("mode", list(Mode))
def test_every_view_validates_as_a_modal_and_a_home_tab(mode: Mode) -> None:
    page = full_page(mode)
    modal, home = dashboard_modal(page, "0" * 16), dashboard_home(page, texts.CLEARED)
    assert_valid_view(modal)
    assert_valid_view(home)
    sent = modal.to_dict()
    assert (sent["type"], sent["title"]["text"], sent["close"]["text"]) == ("modal", texts.MODAL_TITLE, "Close")
    assert home.type == "home"


@pytest.mark.parametrize("mode", list(Mode))
def test_nothing_logged_says_so_and_keeps_the_controls(mode: Mode) -> None:
    page = Page(Dashboard(days=1, mode=mode, rating=NEGATIVE), Totals(), 0, 1)
    blocks = dashboard_blocks(page)
    assert_fits_a_message(blocks)
    assert_valid_view(dashboard_modal(page, "0" * 16))
    assert_valid_view(dashboard_home(page))
    assert "No negative interactions logged in the last day." in mrkdwn(blocks)
    assert contexts(blocks) == []  # no summary of none, and one page only
    assert set(buttons(blocks)) == {actions.OPEN_LOG_FORM, actions.CLEAR}  # Log opens the form
    assert {e["action_id"] for e in of_type(blocks, "static_select")} == {actions.SPAN, actions.VIEW, actions.FILTER}


# --- Names exactly as typed --------------------------------------------------------------------------------


def test_list_rows_show_names_as_typed_in_rich_text_never_in_mrkdwn() -> None:
    blocks = dashboard_blocks(list_page([entry(Person(name, mention=False), POSITIVE) for name in MARKUP_NAMES]))
    assert_fits_a_message(blocks)
    people = [item[2] for item in list_items(blocks)]
    assert people == [{"type": "text", "text": name} for name in MARKUP_NAMES]
    assert not any(name in text for name in MARKUP_NAMES for text in mrkdwn(blocks))


def person_rows(blocks: list[Block]) -> list[dict[str, Any]]:
    """The rows of a person view: a section each, with the button that opens that person's card."""
    return [block for block in as_json(blocks) if block.get("accessory", {}).get("action_id") == actions.OPEN_CARD]


def test_person_rows_show_names_as_typed_in_plain_text_never_in_mrkdwn() -> None:
    people = [PersonTotals(positive=1, person=Person(name, mention=False), last_at=NOW) for name in MARKUP_NAMES]
    blocks = dashboard_blocks(people_page(people))
    rows = person_rows(blocks)
    assert [row["text"]["type"] for row in rows] == ["plain_text"] * len(MARKUP_NAMES)
    assert [row["text"]["text"].split(" · ")[0] for row in rows] == MARKUP_NAMES
    assert not any(row["text"].get("emoji") for row in rows)  # ":smile:" typed stays as typed
    assert not any(name in text for name in MARKUP_NAMES for text in mrkdwn(blocks))


def test_each_person_row_opens_that_persons_card() -> None:
    people = [PersonTotals(positive=1, person=p, last_at=NOW) for p in (Person("U0DON", mention=True), ANN)]
    rows = person_rows(dashboard_blocks(people_page(people)))
    assert [actions.parse_person(row["accessory"]["value"]) for row in rows] == [p.person for p in people]
    assert rows[0]["text"] == {
        "type": "mrkdwn",
        "text": "<@U0DON> · 1 (1 +, 0 −) · 100% positive · last <!date^1710504000^{date_short_pretty}|2024-03-15>",
    }


def test_a_mention_is_a_user_element_that_slack_names() -> None:
    blocks = dashboard_blocks(list_page([entry(Person("U0DON", mention=True))]))
    assert list_items(blocks)[0][2] == {"type": "user", "user_id": "U0DON"}
    assert not any("U0DON" in text for text in strings(blocks))


def test_a_list_row_is_the_time_in_the_readers_zone_the_person_and_the_sign() -> None:
    rows = [entry(Person("Ann", mention=False), POSITIVE), entry(Person("U0DON", mention=True), NEGATIVE, 90)]
    items = list_items(dashboard_blocks(list_page(rows)))
    assert len(items) == 2  # one line per entry, newest first
    first, second = items
    assert first[0] == {
        "type": "date",
        "timestamp": int(NOW.timestamp()),
        "format": "{date_short_pretty} {time}",
        "fallback": "2024-03-15 12:00 UTC",
    }
    assert [e.get("text") for e in first[1:]] == [" · ", "Ann", " +"]
    assert second[0]["fallback"] == "2024-03-15 10:30 UTC"
    assert [e.get("text") for e in second[1:]] == [" · ", None, " −"]


ANN = Person("Ann", mention=False)


def test_person_rows_give_the_figures_and_the_last_day_met() -> None:
    ann = PersonTotals(positive=2, negative=1, person=ANN, last_at=NOW)
    (row,) = person_rows(dashboard_blocks(people_page([ann])))
    assert row["text"]["text"] == "Ann · 3 (2 +, 1 −) · 67% positive · last 2024-03-15"


def test_person_rows_under_a_filter_only_count() -> None:
    ann = PersonTotals(negative=4, person=Person("Ann", mention=False), last_at=NOW)
    (row,) = person_rows(dashboard_blocks(people_page([ann], Dashboard(mode=Mode.PERSON, rating=NEGATIVE))))
    assert row["text"]["text"] == "Ann · 4 · last 2024-03-15"


def test_the_time_view_shows_periods_and_no_names() -> None:
    buckets = [BucketTotals(positive=3, negative=1, start=date(2024, 3, 11))]
    blocks = dashboard_blocks(buckets_page(buckets))
    assert of_type(blocks, "rich_text") == []
    assert any(text.startswith("`week of 2024-03-11` ") for text in mrkdwn(blocks))
    assert blocks[0].to_dict()["text"]["text"] == texts.heading(90, None, "week")


# --- Controls: each choice carries what it shows ------------------------------------------------------------


MIDDLE_OF_A_LIST = Dashboard(days=45, mode=Mode.LIST, rating=POSITIVE, page=3, start="1" * 13 + "-c-00", totals=(9, 0))


def test_the_menus_show_the_current_choices() -> None:
    blocks = dashboard_blocks(list_page([entry(Person("Ann", mention=False))], MIDDLE_OF_A_LIST))
    assert menu(blocks, actions.SPAN)[0] == "45 days"
    assert menu(blocks, actions.VIEW)[0] == "List"
    assert menu(blocks, actions.FILTER)[0] == "Positive +"


def test_each_choice_shows_the_first_page_with_that_control_changed() -> None:
    blocks = dashboard_blocks(list_page([entry(Person("Ann", mention=False))], MIDDLE_OF_A_LIST))
    first = Dashboard(days=45, mode=Mode.LIST, rating=POSITIVE)
    spans = menu(blocks, actions.SPAN)[1]
    assert [target for _, target in spans] == [replace(first, days=d) for d in sorted({*SPANS, 45})]
    assert menu(blocks, actions.VIEW)[1] == [
        ("List", first),
        ("By person", replace(first, mode=Mode.PERSON)),
        ("By time", replace(first, mode=Mode.TIME)),
    ]
    assert menu(blocks, actions.FILTER)[1] == [
        ("All", replace(first, rating=None)),
        ("Positive +", first),
        ("Negative −", replace(first, rating=NEGATIVE)),
    ]
    for _, target in [*spans, *menu(blocks, actions.VIEW)[1], *menu(blocks, actions.FILTER)[1]]:
        assert (target.page, target.start, target.before, target.totals) == (0, None, None, None)


def test_a_typed_span_is_among_the_choices_in_order() -> None:
    blocks = dashboard_blocks(list_page([], Dashboard(days=45)))
    labels = [label for label, _ in menu(blocks, actions.SPAN)[1]]
    assert labels == ["7 days", "30 days", "45 days", "90 days", "1 year", "10 years"]
    usual = dashboard_blocks(list_page([], Dashboard(days=365)))
    assert [label for label, _ in menu(usual, actions.SPAN)[1]] == [
        "7 days",
        "30 days",
        "90 days",
        "1 year",
        "10 years",
    ]
    assert menu(usual, actions.SPAN)[0] == "1 year"


@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize("rating", [None, POSITIVE, NEGATIVE])
@pytest.mark.parametrize("days", [1, 45, 3650])
def test_menu_values_stay_within_what_slack_accepts(mode: Mode, rating: int | None, days: int) -> None:
    shown = Dashboard(days, mode, rating, page=999_999, start="9" * 13 + "-" + "f" * 32 + "-99", totals=(10**9, 10**9))
    blocks = dashboard_blocks(Page(shown, Totals(), 0, 1))
    values = [o["value"] for select in of_type(blocks, "static_select") for o in select["options"]]
    assert values
    assert all(len(value) <= 150 for value in values)


# --- Paging and clearing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("has_older", "has_newer"), [(False, False), (True, False), (True, True), (False, True)])
def test_older_and_newer_only_when_there_is_such_a_page(has_older: bool, has_newer: bool) -> None:
    older = Dashboard(page=2, start="1" * 13 + "-o-00", totals=(120, 30)) if has_older else None
    newer = Dashboard(page=0, before="1" * 13 + "-n-00", totals=(80, 20)) if has_newer else None
    rows = [entry(Person("Ann", mention=False), POSITIVE, i) for i in range(PAGE_SIZE)]
    page = list_page(rows, Dashboard(page=1, totals=(80, 20)), count=100, first=51, older=older, newer=newer)
    pressed = buttons(dashboard_blocks(page))
    assert (actions.OLDER in pressed, actions.NEWER in pressed) == (has_older, has_newer)
    if older is not None:
        assert actions.parse_dashboard(pressed[actions.OLDER]["value"]) == older
    if newer is not None:
        assert actions.parse_dashboard(pressed[actions.NEWER]["value"]) == newer
    position = [text for text in contexts(dashboard_blocks(page)) if text.startswith("Entries")]
    assert position == (["Entries 51–100 of 100"] if has_older or has_newer else [])


def test_position_counts_with_thousands() -> None:
    assert "Entries 51–100 of 10,000" in contexts(dashboard_blocks(full_page(Mode.LIST)))
    assert "People 41–80 of 120" in contexts(dashboard_blocks(full_page(Mode.PERSON)))
    assert "Periods 51–100 of 200" in contexts(dashboard_blocks(full_page(Mode.TIME)))


def test_clear_asks_first_and_then_shows_the_first_page() -> None:
    blocks = dashboard_blocks(list_page([entry(Person("Ann", mention=False))], MIDDLE_OF_A_LIST))
    clear = buttons(blocks)[actions.CLEAR]
    assert clear["style"] == "danger"
    assert clear["text"]["text"] == "Clear all my logs"
    confirm = clear["confirm"]
    assert confirm["title"]["text"] == "Clear all your logs?"
    assert "all of your logs, of all time" in confirm["text"]["text"]
    assert "can't be undone" in confirm["text"]["text"]
    assert (confirm["confirm"]["text"], confirm["deny"]["text"], confirm["style"]) == ("Clear all", "Cancel", "danger")
    assert actions.parse_dashboard(clear["value"]) == MIDDLE_OF_A_LIST.first_page()


# --- Around the rows ----------------------------------------------------------------------------------------


def test_title_note_and_summary() -> None:
    rows = [entry(Person("Ann", mention=False)), entry(Person("Bo", mention=False), NEGATIVE)]
    blocks = dashboard_blocks(list_page(rows, Dashboard(days=90, totals=(1, 1))), texts.CLEARED)
    sent = as_json(blocks)
    assert sent[0] == {"type": "header", "text": {"type": "plain_text", "text": texts.heading(90, None), "emoji": True}}
    assert sent[1] == {"type": "context", "elements": [{"type": "mrkdwn", "text": texts.CLEARED}]}
    assert "2 interactions: 1 `+`, 1 `−`, 50% positive" in contexts(blocks)


@pytest.mark.parametrize(
    ("shown", "title"),
    [
        (Dashboard(days=30), "Your interactions, the last 30 days"),
        (Dashboard(days=1, rating=NEGATIVE), "Your negative interactions, the last day"),
        (Dashboard(90, Mode.PERSON, POSITIVE), "Your positive interactions by person, the last 90 days"),
        (Dashboard(days=400, mode=Mode.TIME), "Your interactions by month, the last 400 days"),
    ],
)
def test_the_title_says_what_is_shown(shown: Dashboard, title: str) -> None:
    assert dashboard_blocks(Page(shown, Totals(), 0, 1))[0].to_dict()["text"]["text"] == title


def test_the_summary_counts_the_whole_span_not_just_the_page() -> None:
    page = replace(full_page(Mode.LIST), totals=Totals(positive=7500, negative=2500))  # 50 of them shown
    assert "10,000 interactions: 7,500 `+`, 2,500 `−`, 75% positive" in contexts(dashboard_blocks(page))


def test_the_home_tab_says_how_to_log_under_its_title() -> None:
    home = dashboard_home(list_page([]))
    sent = home.to_dict()["blocks"]
    assert sent[0]["type"] == "header"
    assert sent[1]["elements"][0]["text"] == texts.HOME_INTRO


def test_a_message_has_a_fallback_text() -> None:
    text, blocks = dashboard_message(list_page([], Dashboard(days=7)), texts.CLEARED)
    assert text == f"{texts.CLEARED}\n{texts.heading(7, None)}"
    assert dashboard_message(list_page([], Dashboard(days=7)))[0] == texts.heading(7, None)
    assert blocks == dashboard_blocks(list_page([], Dashboard(days=7)), texts.CLEARED)
