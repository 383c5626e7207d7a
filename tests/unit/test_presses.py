"""The worker's side of buttons, menus and the Home tab, every branch, with an in-memory store and Slack:
what Undo removes, what each control shows, and where the answer goes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from interactions.dashboard import PAGE_SIZE
from interactions.model import Person, Rated
from interactions.process import process, report_failure
from interactions.pseudonym import log_tag
from interactions.queue_message import QueuedHomeOpened, QueuedPress
from interactions.slack import actions, texts
from tests.fakes import FakeSlack, FakeStore
from tests.unit.queued_commands import NOW, OWNER, URL, message

PRESS_URL = "https://hooks.slack.com/actions/T0/1/press"


def controls(blocks: Sequence[Block] | None) -> Iterator[dict[str, Any]]:
    """Every button and menu option in ``blocks``, as {"action_id", "label", "value"}."""
    for block in blocks or []:
        shown = block.to_dict()
        for element in [*shown.get("elements", []), *([shown["accessory"]] if "accessory" in shown else [])]:
            if element.get("type") == "button":
                yield {
                    "action_id": element["action_id"],
                    "label": element["text"]["text"],
                    "value": element.get("value", ""),
                }
            for option in element.get("options", []):
                yield {"action_id": element["action_id"], "label": option["text"]["text"], "value": option["value"]}


def control(blocks: Sequence[Block] | None, action_id: str, label: str | None = None) -> str:
    """The value of the control a member would press."""
    found: list[str] = [
        c["value"] for c in controls(blocks) if c["action_id"] == action_id and label in (None, c["label"])
    ]
    assert found, f"no {action_id} {label or ''} in {list(controls(blocks))}"
    return found[0]


def pressed(
    action_id: str, value: str, *, surface: str = "message", user: str = "U0ME", owner: str = OWNER, **fields: Any
) -> str:
    press = QueuedPress(
        press_id=uuid.uuid4().hex,
        user_id=user,
        owner=owner,
        received_at=fields.pop("at", NOW + timedelta(seconds=30)),
        action_id=action_id,
        value=value,
        surface=surface,
        response_url=PRESS_URL if surface == "message" else None,
        view_id=fields.pop("view_id", "V1" if surface == "modal" else None),
        **fields,
    )
    return press.to_json()


def log(store: FakeStore, slack: FakeSlack, text: str, command_id: str) -> str:
    """Log as the member; the value of the Undo button on the reply."""
    process(message(text, command_id=command_id), store, slack, now=lambda: NOW)
    return control(slack.last.blocks, actions.UNDO)


# --- Undo ------------------------------------------------------------------------------------------------


def test_undo_removes_exactly_its_log_and_says_what_in_place(store: FakeStore, slack: FakeSlack) -> None:
    log(store, slack, "<@U0DON> +", "first")
    undo = log(store, slack, "<@U0MAELLE> - Random Guy -", "second")
    process(pressed(actions.UNDO, undo), store, slack)
    assert [e.person.name for e in store.stored(OWNER)] == ["U0DON"]
    assert slack.replaced == [PRESS_URL]
    assert "<@U0MAELLE>" in slack.last.text and "Random Guy" in slack.last.text
    assert "100% for positive interactions in the last 30 days" in slack.last.text
    assert not list(controls(slack.last.blocks))  # nothing left to press


def test_a_second_press_changes_nothing(store: FakeStore, slack: FakeSlack) -> None:
    log(store, slack, "<@U0DON> +", "first")
    undo = log(store, slack, "Random Guy -", "second")
    process(pressed(actions.UNDO, undo), store, slack)
    process(pressed(actions.UNDO, undo), store, slack)
    assert [e.person.name for e in store.stored(OWNER)] == ["U0DON"]
    assert slack.last.text == texts.ALREADY_UNDONE


def test_a_redelivered_undo_changes_nothing(store: FakeStore, slack: FakeSlack) -> None:
    undo = log(store, slack, "Random Guy -", "first")
    log(store, slack, "<@U0DON> +", "second")
    again = pressed(actions.UNDO, undo)
    process(again, store, slack)
    process(again, store, slack)
    assert [e.person.name for e in store.stored(OWNER)] == ["U0DON"]
    assert slack.replaced == [PRESS_URL]  # the first answer, "Undone: …", is the one left in place


def test_a_log_redelivered_after_its_undo_stays_undone(store: FakeStore, slack: FakeSlack) -> None:
    undo = log(store, slack, "Random Guy -", "first")
    process(pressed(actions.UNDO, undo), store, slack)
    process(message("Random Guy -", command_id="first"), store, slack, now=lambda: NOW)
    assert store.stored(OWNER) == []
    assert slack.last.text == texts.LOG_WAS_UNDONE


def test_another_members_press_removes_nothing(store: FakeStore, slack: FakeSlack) -> None:
    undo = log(store, slack, "Random Guy -", "first")
    process(pressed(actions.UNDO, undo, user="U0OTHER", owner="b" * 64), store, slack)
    assert slack.last.text == texts.NOT_YOUR_LOG
    assert slack.replaced == []
    # Even with the user id of the one who logged: the button says whose log it is by their pseudonym.
    process(pressed(actions.UNDO, undo, owner="b" * 64), store, slack)
    assert len(store.stored(OWNER)) == 1


def test_undo_after_a_clear_says_nothing_was_left(store: FakeStore, slack: FakeSlack) -> None:
    undo = log(store, slack, "Random Guy -", "first")
    process(message("clear", command_id="clear", at=NOW + timedelta(seconds=10)), store, slack, now=lambda: NOW)
    process(pressed(actions.UNDO, undo), store, slack)
    assert slack.last.text == texts.NOTHING_LEFT_TO_UNDO


def test_undo_with_a_value_the_app_did_not_write_does_nothing(store: FakeStore, slack: FakeSlack) -> None:
    log(store, slack, "Random Guy -", "first")
    said = len(slack.said)
    process(pressed(actions.UNDO, '{"c":"first","a":1,"n":100000,"o":"0123456789abcdef"}'), store, slack)
    assert len(store.stored(OWNER)) == 1 and len(slack.said) == said


# --- The dashboard ---------------------------------------------------------------------------------------


def many(store: FakeStore, count: int, people: int = 1) -> None:
    """``count`` entries, one a minute back from NOW, of ``people`` people."""
    for index in range(count):
        rated = [Rated(Person(f"Person {index % people}", mention=False), 1 if index % 3 else -1)]
        store.add(OWNER, f"c{index:05d}", NOW - timedelta(minutes=index + 1), rated)


def view(store: FakeStore, slack: FakeSlack, text: str = "", **options: Any) -> Sequence[Block] | None:
    process(message(text, command_id="view", **options), store, slack, now=lambda: NOW)
    return slack.last.blocks


def test_older_reaches_every_entry_of_the_span_once_and_newer_comes_back(store: FakeStore, slack: FakeSlack) -> None:
    count = 2 * PAGE_SIZE + 7
    many(store, count, people=count)
    blocks = view(store, slack, "365", view_id="V1")
    seen = [slack.last.text]
    while any(c["action_id"] == actions.OLDER for c in controls(blocks)):
        process(pressed(actions.OLDER, control(blocks, actions.OLDER), surface="modal"), store, slack)
        blocks = slack.last.blocks
        seen.append(slack.last.text)
    assert len(seen) == 3
    shown = [line.split(" · ")[1][:-2] for page in seen for line in page.split("\n") if " · Person " in line]
    assert shown == [f"Person {index}" for index in range(count)]  # every entry once, newest first
    process(pressed(actions.NEWER, control(blocks, actions.NEWER), surface="modal"), store, slack)
    assert slack.last.text == seen[1]


def test_person_and_time_views_page_when_they_overflow(store: FakeStore, slack: FakeSlack) -> None:
    many(store, PAGE_SIZE + 10, people=PAGE_SIZE + 10)
    blocks = view(store, slack, "90 person", view_id="V1")
    first = slack.last.text
    process(pressed(actions.OLDER, control(blocks, actions.OLDER), surface="modal"), store, slack)
    second = slack.last.text
    assert not any(c["action_id"] == actions.OLDER for c in controls(slack.last.blocks))
    everyone = {f"Person {i}" for i in range(PAGE_SIZE + 10)}
    assert {n for n in everyone if n in first} | {n for n in everyone if n in second} == everyone


def test_a_control_updates_the_same_modal_with_the_hash_it_saw(store: FakeStore, slack: FakeSlack) -> None:
    many(store, 5)
    blocks = view(store, slack, view_id="V1")
    seen_hash = slack.view_hashes["V1"]
    span = control(blocks, actions.SPAN, "90 days")
    process(pressed(actions.SPAN, span, surface="modal", view_hash=seen_hash), store, slack)
    assert slack.last.where == "modal:V1" and "90 days" in slack.last.text
    # A press made on the view before that update arrives late: it is refused, the newer view stays.
    said = len(slack.said)
    process(
        pressed(actions.VIEW, control(blocks, actions.VIEW, "By person"), surface="modal", view_hash=seen_hash),
        store,
        slack,
    )
    assert len(slack.said) == said


def test_a_press_in_another_members_view_changes_nothing_for_them(store: FakeStore, slack: FakeSlack) -> None:
    many(store, 3)
    blocks = view(store, slack, view_id="V1")
    made = (NOW + timedelta(seconds=30)).timestamp()
    # Home tab presses name any view id they like: another member's, made later than the member's own press.
    for forged in (f"{made + 60:.6f}", "99999999999999999999"):
        process(
            pressed(
                actions.SPAN,
                control(blocks, actions.SPAN, "7 days"),
                surface="home",
                user="U0EVIL",
                owner="e" * 64,
                view_id="V1",
                pressed_at=forged,
            ),
            store,
            slack,
        )
    process(
        pressed(actions.SPAN, control(blocks, actions.SPAN, "90 days"), surface="modal", pressed_at=f"{made:.6f}"),
        store,
        slack,
    )
    assert slack.last.where == "modal:V1" and texts.heading(90, None) in slack.last.text


def test_a_press_said_to_be_made_far_from_its_receipt_holds_back_no_later_press(
    store: FakeStore, slack: FakeSlack
) -> None:
    many(store, 3)
    blocks = view(store, slack, view_id="V1")
    made = (NOW + timedelta(seconds=30)).timestamp()
    for label, days, pressed_at in [("7 days", 7, "99999999999999999999"), ("90 days", 90, f"{made:.6f}")]:
        process(
            pressed(actions.SPAN, control(blocks, actions.SPAN, label), surface="modal", pressed_at=pressed_at),
            store,
            slack,
        )
        assert slack.last.where == "modal:V1" and texts.heading(days, None) in slack.last.text


def test_every_control_shows_what_it_says(store: FakeStore, slack: FakeSlack) -> None:
    many(store, 9, people=3)
    blocks = view(store, slack, view_id="V1")
    for action_id, label, expected in [
        (actions.VIEW, "By person", texts.heading(30, None, "person")),
        (actions.VIEW, "By time", texts.heading(30, None, "week")),
        (actions.FILTER, "Negative −", texts.heading(30, -1)),
        (actions.SPAN, "7 days", texts.heading(7, None)),
    ]:
        process(pressed(action_id, control(blocks, action_id, label), surface="modal"), store, slack)
        assert expected in slack.last.text, (label, slack.last.text)


def test_without_a_modal_the_dashboard_pages_in_place_of_the_message(store: FakeStore, slack: FakeSlack) -> None:
    many(store, PAGE_SIZE + 1)
    blocks = view(store, slack, "365")
    assert slack.last.where == URL
    process(pressed(actions.OLDER, control(blocks, actions.OLDER)), store, slack)
    assert slack.replaced == [PRESS_URL]
    assert "Person 0" in slack.last.text


def test_clear_all_my_logs_clears_and_shows_the_empty_dashboard(store: FakeStore, slack: FakeSlack) -> None:
    many(store, 3)
    blocks = view(store, slack, "person", view_id="V1")
    process(pressed(actions.CLEAR, control(blocks, actions.CLEAR), surface="modal"), store, slack)
    assert store.stored(OWNER) == []
    assert texts.CLEARED in slack.last.text
    assert texts.heading(30, None, "person") in slack.last.text  # the same view, now empty


def test_opening_the_home_tab_publishes_the_members_own_dashboard(store: FakeStore, slack: FakeSlack) -> None:
    many(store, 2)
    store.add("b" * 64, "theirs", NOW - timedelta(minutes=1), [Rated(Person("Not Mine", mention=False), 1)])
    opened = QueuedHomeOpened("Ev1", "U0ME", OWNER, NOW + timedelta(seconds=5))
    process(opened.to_json(), store, slack)
    assert slack.last.where == "home:U0ME"
    assert "Person 0" in slack.last.text and "Not Mine" not in slack.last.text
    assert slack.last.text.count(texts.HOME_INTRO) == 1
    home = slack.last.blocks
    said = len(slack.said)
    process(opened.to_json(), store, slack)  # Slack's retry of the event, taken by another instance
    assert len(slack.said) == said
    process(pressed(actions.FILTER, control(home, actions.FILTER, "Positive +"), surface="home"), store, slack)
    assert slack.last.where == "home:U0ME" and texts.heading(30, 1) in slack.last.text


# --- Failures --------------------------------------------------------------------------------------------


def test_a_failed_press_says_so_in_the_message(store: FakeStore, slack: FakeSlack) -> None:
    report_failure(
        pressed(actions.UNDO, actions.undo_value(actions.UndoTarget("c", NOW, 1, log_tag(OWNER, "c")))), store, slack
    )
    assert slack.last.text == texts.FAILED_UNDO and slack.replaced == []
    value = actions.dashboard_value(replace(actions.parse_dashboard('{"d":30,"m":"list"}')))
    report_failure(pressed(actions.OLDER, value), store, slack)
    assert slack.last.text == texts.FAILED_PRESS
    report_failure(pressed(actions.CLEAR, value), store, slack)
    assert slack.last.text == texts.FAILED_CLEAR  # some logs may be gone: not "nothing was changed"


def test_a_failed_home_tab_keeps_what_it_showed(store: FakeStore, slack: FakeSlack) -> None:
    report_failure(QueuedHomeOpened("Ev1", "U0ME", OWNER, NOW).to_json(), store, slack)
    assert slack.said == []


def test_undo_counts_the_percentage_without_its_log_even_while_a_redelivery_writes_it_back(
    store: FakeStore, slack: FakeSlack
) -> None:
    log(store, slack, "<@U0DON> +", "first")
    undo = log(store, slack, "Random Guy - Other Guy -", "second")

    class RedeliveredMeanwhile(FakeStore):
        """The log's message, delivered again, writes its rows back just after the Undo removed them."""

        def remove(self, owner: str, command_id: str, at: Any, count: int) -> None:
            super().remove(owner, command_id, at, count)
            self.add(owner, command_id, at, [Rated(Person("Random Guy", mention=False), -1)] * count)

    racing = RedeliveredMeanwhile(rows=store.rows, clears=store.clears, undos=store.undos)
    process(pressed(actions.UNDO, undo), racing, slack)
    assert texts.undone(100) in slack.last.text  # the one log left is positive


def test_undo_names_its_people_even_when_a_redelivery_of_the_log_removes_them_first(
    store: FakeStore, slack: FakeSlack
) -> None:
    undo = log(store, slack, "Random Guy - Other Guy +", "only")

    class RedeliveredMeanwhile(FakeStore):
        """The log's message, delivered again, sees the Undo remembered and removes its own rows."""

        def remember_undo(self, owner: str, command_id: str, at: Any) -> bool:
            already = super().remember_undo(owner, command_id, at)
            super().remove(owner, command_id, NOW, 2)
            return already

    racing = RedeliveredMeanwhile(rows=store.rows, clears=store.clears, undos=store.undos)
    process(pressed(actions.UNDO, undo), racing, slack)
    assert "Undone: Random Guy −, Other Guy +" in slack.last.text
    assert texts.undone(None) in slack.last.text  # and nothing is left in the last 30 days
    assert store.stored(OWNER) == []


def test_a_home_tab_event_that_failed_on_storage_is_carried_out_on_the_hosts_next_try(
    store: FakeStore, slack: FakeSlack
) -> None:
    opened = QueuedHomeOpened("Ev2", "U0ME", OWNER, NOW).to_json()

    class ReadsFail(FakeStore):
        def page(self, *args: Any) -> Any:
            raise OSError("storage out of reach")

    with pytest.raises(OSError):
        process(opened, ReadsFail(rows=store.rows, events=store.events), slack)
    process(opened, store, slack)
    assert [s.where for s in slack.said] == ["home:U0ME"]
