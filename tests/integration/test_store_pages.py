"""The dashboard's and Undo's reads, the same from the store against Azurite and from its in-memory stand-in
(conftest.py's ``store``): paging by key reaches every entry once and in order, Newer leads back to the page
before, and an undone log is remembered once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from interactions.model import Entry, Person, Rated
from interactions.ports import EntryPage, Store
from interactions.store import row_key

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 26, 12, 0, 0, 123000, tzinfo=UTC)
OWNER = "f" * 64
SIZE = 50
ALL_TIME = NOW - timedelta(days=3650)


def logged(store: Store, count: int, owner: str = OWNER) -> list[Entry]:
    """``count`` one-person logs a minute apart going back from NOW, every third one negative; newest first."""
    for index in range(count):
        store.add(owner, f"c{index:03d}", at(index), [Rated(Person(f"P{index}", mention=False), rating(index))])
    return [Entry(Person(f"P{index}", mention=False), rating(index), at(index)) for index in range(count)]


def at(index: int) -> datetime:
    return NOW - timedelta(minutes=index)


def key(index: int) -> str:
    return row_key(at(index), f"c{index:03d}", 0)


def rating(index: int) -> int:
    return -1 if index % 3 == 0 else 1


def pages(store: Store, since: datetime, rating: int | None = None) -> list[EntryPage]:
    """Every page, Older after Older from the newest."""
    read = [store.page(OWNER, since, rating, None, SIZE)]
    while read[-1].next_key is not None:
        read.append(store.page(OWNER, since, rating, read[-1].next_key, SIZE))
        assert len(read) < 100, "the pages do not end"
    return read


def test_older_after_older_reaches_every_entry_once_in_order(store: Store) -> None:
    entries = logged(store, 230)

    read = pages(store, ALL_TIME)

    assert [len(page.entries) for page in read] == [50, 50, 50, 50, 30]
    assert [entry for page in read for entry in page.entries] == entries
    assert read[-1].next_key is None


def test_newer_from_a_page_leads_to_the_page_before_it(store: Store) -> None:
    logged(store, 230)
    read = pages(store, ALL_TIME)
    first_keys = [page.first_key for page in read]
    assert None not in first_keys

    newer = [store.newer_start(OWNER, ALL_TIME, None, first, SIZE) for first in first_keys if first is not None]

    # From the second page the newest is shown, which needs no key; from the newest, nothing is newer.
    assert newer == [None, None, *first_keys[1:-1]]
    for page, start in zip(read[1:], newer[1:], strict=True):
        assert store.page(OWNER, ALL_TIME, None, start, SIZE).next_key == page.first_key


def test_newer_from_inside_a_page_shows_the_entries_just_newer(store: Store) -> None:
    entries = logged(store, 80)

    start = store.newer_start(OWNER, ALL_TIME, None, key(60), SIZE)

    assert start == key(10)
    assert store.page(OWNER, ALL_TIME, None, start, SIZE) == EntryPage(entries[10:60], key(10), key(60))
    assert store.newer_start(OWNER, ALL_TIME, None, key(50), SIZE) is None
    assert store.newer_start(OWNER, ALL_TIME, None, key(51), SIZE) == key(1)


def test_a_filter_keeps_only_its_rating_in_every_page_and_in_newer(store: Store) -> None:
    entries = logged(store, 230)
    negative = [entry for entry in entries if entry.rating == -1]
    positive = [entry for entry in entries if entry.rating == 1]

    read = pages(store, ALL_TIME, rating=-1)

    assert [entry for page in read for entry in page.entries] == negative  # 77: two pages
    assert [len(page.entries) for page in read] == [50, 27]
    assert [entry for page in pages(store, ALL_TIME, rating=1) for entry in page.entries] == positive
    assert read[1].first_key is not None
    assert store.newer_start(OWNER, ALL_TIME, -1, read[1].first_key, SIZE) is None
    # Twenty negatives before the second page's first: from the 31st negative on.
    assert (
        store.newer_start(OWNER, ALL_TIME, -1, read[1].first_key, 20)
        == store.page(OWNER, ALL_TIME, -1, None, 30).next_key
    )


def test_pages_end_at_the_span(store: Store) -> None:
    entries = logged(store, 230)
    since = at(119)  # the 120 newest entries are inside, to the millisecond

    read = pages(store, since)

    assert [entry for page in read for entry in page.entries] == entries[:120]
    assert [len(page.entries) for page in read] == [50, 50, 20]
    assert read[2].first_key is not None
    assert store.newer_start(OWNER, since, None, read[2].first_key, SIZE) == read[1].first_key
    assert store.page(OWNER, since, None, None, 120).next_key is None


def test_a_page_whose_first_entry_has_gone_starts_at_the_next_one(store: Store) -> None:
    entries = logged(store, 230)
    second = store.page(OWNER, ALL_TIME, None, store.page(OWNER, ALL_TIME, None, None, SIZE).next_key, SIZE)

    store.remove(OWNER, "c050", at(50), 1)  # the second page's first entry, undone
    again = store.page(OWNER, ALL_TIME, None, second.first_key, SIZE)

    assert again.entries == entries[51:101]
    assert again.first_key != second.first_key
    following = store.page(OWNER, ALL_TIME, None, again.next_key, SIZE)
    assert following.entries == entries[101:151]


def test_an_owner_with_nothing_has_one_empty_page(store: Store) -> None:
    logged(store, 3, owner="someone-else")

    assert store.page(OWNER, ALL_TIME, None, None, SIZE) == EntryPage([], None, None)
    assert store.newer_start(OWNER, ALL_TIME, None, "9" * 13, SIZE) is None


def test_an_undo_is_remembered_once_and_finds_what_is_left_of_its_log(store: Store) -> None:
    people = [
        Rated(Person("U0DON", mention=True), 1),
        Rated(Person("Guy", mention=False), -1),
        Rated(Person("Third", mention=False), 1),
    ]
    store.add(OWNER, "cmd", NOW, people)
    store.add(OWNER, "other", NOW, people[:1])

    assert not store.undone(OWNER, "cmd")
    assert store.command_entries(OWNER, "cmd", NOW, 3) == [Entry(r.person, r.rating, NOW) for r in people]
    assert store.remember_undo(OWNER, "cmd", NOW + timedelta(seconds=5)) is False
    assert store.remember_undo(OWNER, "cmd", NOW + timedelta(seconds=6)) is True
    assert store.undone(OWNER, "cmd")
    assert not store.undone(OWNER, "other")
    assert not store.undone("someone-else", "cmd")

    store.remove(OWNER, "cmd", NOW, 1)  # as a clear that got to the first one
    assert store.command_entries(OWNER, "cmd", NOW, 3) == [Entry(r.person, r.rating, NOW) for r in people[1:]]
    store.remove(OWNER, "cmd", NOW, 3)
    assert store.command_entries(OWNER, "cmd", NOW, 3) == []
    assert store.command_entries(OWNER, "never", NOW, 2) == []
    assert store.command_entries(OWNER, "other", NOW, 1) == [Entry(people[0].person, 1, NOW)]
