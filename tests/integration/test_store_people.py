"""One person's entries and a log's private note, as the store keeps them: the same tests against Azurite and
the in-memory stand-in (conftest.py's ``store``), and against Azurite alone those that look at the table
itself: a note is not in it in the clear, a person's rows are read alone, and entries logged before person
rows existed get theirs."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from azure.data.tables import TableClient

from interactions.model import Entry, Person, Rated
from interactions.notes import NoteCipher
from interactions.retention import expire
from interactions.store import PERSONS_MARKER, EntryStore, person_row_key, row_key
from local.azurite import Azurite
from tests.integration.conftest import NOTES, SweptStore, counted_table

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 26, 12, 0, 0, 123000, tzinfo=UTC)
DON = Person("U0DON", mention=True)
MAELLE = Person("U0MAELLE", mention=True)
GUY = Person("Random Guy", mention=False)
OWNER = "f" * 64
OTHER = "e" * 64
NOTE = "Coffee with Don: the merger is off, tell nobody"
ALL_TIME = NOW - timedelta(days=3650)


@pytest.fixture
def entry_store(table: TableClient) -> EntryStore:
    return EntryStore(table, NOTES)


def history(store: SweptStore, person: Person, owner: str = OWNER) -> list[tuple[datetime, int]]:
    return list(store.person_history(owner, person))


def every_person_page(store: SweptStore, person: Person, size: int) -> list[list[Entry]]:
    read = [store.person_page(OWNER, person, None, size)]
    while read[-1].next_key is not None:
        read.append(store.person_page(OWNER, person, read[-1].next_key, size))
        assert len(read) < 100, "the pages do not end"
    return [page.entries for page in read]


def old_entry(table: TableClient, owner: str, at: datetime, command_id: str, person: Person, rating: int) -> None:
    """An entry as the store wrote it before person rows existed: the entry's row alone."""
    EntryStore(table).ensure_table()
    table.upsert_entity(
        {
            "PartitionKey": owner,
            "RowKey": row_key(at, command_id, 0),
            "Person": person.name,
            "Mention": person.mention,
            "Rating": rating,
            "At": at,
        }
    )


def keys(table: TableClient, owner: str = OWNER) -> list[str]:
    return sorted(row["RowKey"] for row in table.query_entities("PartitionKey eq @o", parameters={"o": owner}))


# --- Notes ---------------------------------------------------------------------------------------------------


def test_a_note_comes_back_with_each_entry_of_its_log_from_every_read(store: SweptStore) -> None:
    store.add(OWNER, "noted", NOW, [Rated(DON, 1), Rated(GUY, -1)], NOTE)
    store.add(OWNER, "plain", NOW - timedelta(minutes=1), [Rated(DON, -1)])

    logged = [(DON, NOTE), (GUY, NOTE), (DON, None)]

    assert [(e.person, e.note) for e in store.entries(OWNER, ALL_TIME)] == logged
    assert [(e.person, e.note) for e in store.page(OWNER, ALL_TIME, None, None, 10).entries] == logged
    assert [(e.person, e.note) for e in store.all_entries(OWNER)] == logged
    assert [e.note for e in store.person_page(OWNER, DON, None, 10).entries] == [NOTE, None]
    assert [e.note for e in store.person_page(OWNER, GUY, None, 10).entries] == [NOTE]
    assert [e.note for e in store.command_entries(OWNER, "noted", NOW, 2)] == [NOTE, NOTE]
    assert [e.note for e in store.command_entries(OWNER, "plain", NOW - timedelta(minutes=1), 1)] == [None]


def test_no_row_of_the_table_holds_a_note_in_the_clear(entry_store: EntryStore, table: TableClient) -> None:
    entry_store.add(OWNER, "noted", NOW, [Rated(DON, 1), Rated(GUY, -1)], NOTE)

    rows = list(table.list_entities())

    assert len(rows) == 4  # each entry, and its person row
    for row in rows:
        assert isinstance(row["Note"], bytes)
        stored = b"".join(value if isinstance(value, bytes) else str(value).encode() for value in row.values())
        for word in ("Coffee", "merger", "nobody"):
            assert word.encode() not in stored and word.encode("utf-16-le") not in stored
    assert len({row["Note"] for row in rows}) == 4  # each sealed on its own: equal notes do not look equal


def test_a_note_moved_to_another_row_or_member_does_not_open_and_only_a_count_is_logged(
    entry_store: EntryStore, table: TableClient, caplog: pytest.LogCaptureFixture
) -> None:
    entry_store.add(OWNER, "noted", NOW, [Rated(DON, 1)], NOTE)
    entry_store.add(OWNER, "plain", NOW - timedelta(minutes=1), [Rated(DON, 1)])
    entry_store.add(OTHER, "noted", NOW, [Rated(DON, 1)])  # the same RowKey in another member's partition
    moved = {"Note": table.get_entity(OWNER, row_key(NOW, "noted", 0))["Note"]}
    table.update_entity({"PartitionKey": OWNER, "RowKey": row_key(NOW - timedelta(minutes=1), "plain", 0), **moved})
    table.update_entity({"PartitionKey": OTHER, "RowKey": row_key(NOW, "noted", 0), **moved})

    with caplog.at_level(logging.INFO):
        mine = list(entry_store.entries(OWNER, ALL_TIME))
        theirs = list(entry_store.all_entries(OTHER))

    assert [e.note for e in mine] == [NOTE, None]
    assert [e.note for e in theirs] == [None]
    assert [r.getMessage() for r in caplog.records] == [
        "Notes that did not decrypt, read as absent: 1.",
        "Notes that did not decrypt, read as absent: 1.",
    ]
    assert OWNER not in caplog.text and "U0DON" not in caplog.text and "Coffee" not in caplog.text


def test_notes_sealed_under_another_key_read_as_absent(table: TableClient) -> None:
    EntryStore(table, NOTES).add(OWNER, "noted", NOW, [Rated(DON, 1)], NOTE)

    other_app = EntryStore(table, NoteCipher(b"another app's secret"))

    assert [e.note for e in other_app.all_entries(OWNER)] == [None]
    assert [e.note for e in EntryStore(table).all_entries(OWNER)] == [None]  # a store without a key
    with pytest.raises(ValueError, match="note key"):
        EntryStore(table).add(OWNER, "refused", NOW, [Rated(DON, 1)], NOTE)


# --- Person rows ---------------------------------------------------------------------------------------------


def test_a_persons_history_is_every_entry_about_them_newest_first_however_their_name_was_typed(
    store: SweptStore,
) -> None:
    store.add(OWNER, "c1", NOW - timedelta(days=3), [Rated(GUY, 1), Rated(DON, -1)])
    store.add(OWNER, "c2", NOW - timedelta(days=2), [Rated(Person("random  guy", mention=False), -1)])
    store.add(OWNER, "c3", NOW - timedelta(days=1), [Rated(Person("Random Guy2", mention=False), 1)])
    store.add(OWNER, "c4", NOW, [Rated(Person("RANDOM GUY", mention=False), 1), Rated(MAELLE, 1)])
    store.add(OTHER, "theirs", NOW, [Rated(GUY, -1), Rated(DON, 1)])

    assert history(store, Person(" random guy ", mention=False)) == [
        (NOW, 1),
        (NOW - timedelta(days=2), -1),
        (NOW - timedelta(days=3), 1),
    ]
    assert history(store, DON) == [(NOW - timedelta(days=3), -1)]
    assert history(store, Person("U0DON", mention=False)) == []  # a name that reads like an id is not the member
    assert history(store, DON, OTHER) == [(NOW, 1)]
    assert history(store, Person("Nobody", mention=False)) == []


def test_a_persons_page_after_page_reaches_each_of_their_entries_once_with_notes(store: SweptStore) -> None:
    for index in range(25):
        at = NOW - timedelta(minutes=index)
        store.add(OWNER, f"c{index:02d}", at, [Rated(MAELLE, 1), Rated(GUY, -1 if index % 2 else 1)], f"note {index}")

    read = every_person_page(store, GUY, 10)

    assert [len(page) for page in read] == [10, 10, 5]
    assert [entry.note for page in read for entry in page] == [f"note {index}" for index in range(25)]
    assert {entry.person for page in read for entry in page} == {GUY}
    first = store.person_page(OWNER, GUY, None, 10)
    assert first.first_key == row_key(NOW, "c00", 1)  # keyed as the entry is
    assert store.person_page(OWNER, DON, None, 10).entries == []


def test_a_persons_page_starts_at_the_first_entry_after_one_that_has_gone(store: SweptStore) -> None:
    for index in range(5):
        store.add(OWNER, f"c{index}", NOW - timedelta(minutes=index), [Rated(GUY, 1)])
    second = store.person_page(OWNER, GUY, None, 2).next_key
    assert second is not None
    store.remove(OWNER, "c2", NOW - timedelta(minutes=2), 1)

    page = store.person_page(OWNER, GUY, second, 2)

    assert [entry.at for entry in page.entries] == [NOW - timedelta(minutes=3), NOW - timedelta(minutes=4)]
    assert page.next_key is None


def test_a_persons_reads_are_one_request_among_many_entries_of_others(azurite: Azurite, unique_name: str) -> None:
    table, requests = counted_table(azurite, unique_name)
    store = EntryStore(table, NOTES)
    for first in range(0, 1500, 25):
        people = [Rated(Person(f"P{index}", mention=False), 1) for index in range(first, first + 25)]
        store.add(OWNER, f"c{first}", NOW - timedelta(minutes=first), people)
    for index in range(5):
        store.add(OWNER, f"don{index}", NOW - timedelta(days=index), [Rated(DON, 1)], "hello")

    assert len(history(store, DON)) == 5  # fills nothing: every entry was logged with its person row
    requests.clear()
    assert len(history(store, DON)) == 5
    assert len(store.person_page(OWNER, DON, None, 10).entries) == 5

    assert requests == ["GET", "GET"]


def test_a_log_of_25_people_is_written_at_once_with_their_person_rows(store: SweptStore) -> None:
    people = [Rated(Person(f"P{index}", mention=False), 1) for index in range(25)]

    store.add(OWNER, "big", NOW, people, "all hands")

    assert len(list(store.all_entries(OWNER))) == 25
    assert all(history(store, person.person) == [(NOW, 1)] for person in people)


# --- Forget --------------------------------------------------------------------------------------------------


def test_forget_deletes_every_entry_of_that_person_and_nothing_else(store: SweptStore) -> None:
    store.add(OWNER, "c1", NOW - timedelta(days=400), [Rated(GUY, 1), Rated(DON, 1)], "both")
    store.add(OWNER, "c2", NOW - timedelta(days=1), [Rated(Person("random guy", mention=False), -1)])
    store.add(OWNER, "c3", NOW - timedelta(hours=1), [Rated(DON, -1)])
    store.add(OTHER, "theirs", NOW - timedelta(days=1), [Rated(GUY, 1)])

    assert store.forget(OWNER, GUY, NOW) == 2

    assert [(e.person, e.note) for e in store.all_entries(OWNER)] == [(DON, None), (DON, "both")]
    assert history(store, GUY) == []
    assert history(store, DON) == [(NOW - timedelta(hours=1), -1), (NOW - timedelta(days=400), 1)]
    assert history(store, GUY, OTHER) == [(NOW - timedelta(days=1), 1)]
    assert store.forgotten_since(OWNER, GUY, NOW) and store.forgotten_since(OWNER, Person("RANDOM GUY", False), NOW)
    assert not store.forgotten_since(OWNER, GUY, NOW + timedelta(milliseconds=1))
    assert not store.forgotten_since(OWNER, DON, NOW - timedelta(days=1))
    assert not store.forgotten_since(OTHER, GUY, NOW - timedelta(days=1))
    assert store.forget(OWNER, GUY, NOW) == 0


def test_forget_leaves_no_row_of_that_person_in_the_table(entry_store: EntryStore, table: TableClient) -> None:
    entry_store.add(OWNER, "c1", NOW - timedelta(days=1), [Rated(GUY, 1), Rated(DON, 1)], "both")
    entry_store.add(OWNER, "c2", NOW - timedelta(hours=1), [Rated(GUY, -1)], "guy only")

    entry_store.forget(OWNER, GUY, NOW)

    assert keys(table) == sorted(
        [
            PERSONS_MARKER,
            row_key(NOW - timedelta(days=1), "c1", 1),
            person_row_key(DON, row_key(NOW - timedelta(days=1), "c1", 1)),
        ]
    )
    (marker,) = table.query_entities("PartitionKey eq 'forgotten'")
    assert set(marker) == {"PartitionKey", "RowKey", "At"} and OWNER in marker["RowKey"]


def test_a_log_made_after_a_forget_is_kept_and_one_made_before_sees_the_forget(store: SweptStore) -> None:
    store.forget(OWNER, GUY, NOW)
    store.forget(OWNER, GUY, NOW - timedelta(minutes=5))  # carried out late: the latest forget still counts

    store.add(OWNER, "after", NOW + timedelta(milliseconds=1), [Rated(GUY, 1)])
    store.add(OWNER, "before", NOW - timedelta(seconds=1), [Rated(GUY, -1)])

    assert not store.forgotten_since(OWNER, GUY, NOW + timedelta(milliseconds=1))
    assert store.forgotten_since(OWNER, GUY, NOW - timedelta(seconds=1))
    assert store.forget(OWNER, GUY, NOW - timedelta(seconds=1)) == 1  # as the log then does
    assert history(store, GUY) == [(NOW + timedelta(milliseconds=1), 1)]


def test_the_sweep_forgets_a_forget_after_a_day(store: SweptStore) -> None:
    store.forget(OWNER, GUY, NOW - timedelta(days=1, seconds=1))
    store.forget(OWNER, DON, NOW - timedelta(hours=23))

    assert expire(store, NOW, 3650).markers == 1

    assert not store.forgotten_since(OWNER, GUY, NOW - timedelta(days=2))
    assert store.forgotten_since(OWNER, DON, NOW - timedelta(days=1))


# --- Undo, clear and retention -------------------------------------------------------------------------------


def test_undo_takes_the_logs_person_rows_and_note_with_it(store: SweptStore) -> None:
    store.add(OWNER, "kept", NOW - timedelta(minutes=1), [Rated(GUY, 1)], "kept")
    store.add(OWNER, "undone", NOW, [Rated(GUY, -1), Rated(DON, 1)], "undone")

    store.remove(OWNER, "undone", NOW, 2)

    assert history(store, GUY) == [(NOW - timedelta(minutes=1), 1)] and history(store, DON) == []
    assert [e.note for e in store.person_page(OWNER, GUY, None, 10).entries] == ["kept"]


def test_clear_takes_the_person_rows_of_what_it_deletes_and_keeps_those_logged_after(store: SweptStore) -> None:
    store.add(OWNER, "before", NOW - timedelta(days=1), [Rated(GUY, 1), Rated(DON, 1)], "before")
    store.add(OWNER, "at", NOW, [Rated(GUY, -1)])
    store.add(OWNER, "after", NOW + timedelta(milliseconds=1), [Rated(GUY, 1)], "after")
    assert len(history(store, GUY)) == 3  # read once, so that the member's person rows are known complete

    assert store.clear(OWNER, NOW) == 3

    assert history(store, GUY) == [(NOW + timedelta(milliseconds=1), 1)] and history(store, DON) == []
    assert [e.note for e in store.person_page(OWNER, GUY, None, 10).entries] == ["after"]
    assert [e.note for e in store.all_entries(OWNER)] == ["after"]


def test_clear_leaves_only_the_marker_that_every_entry_left_has_its_person_row(
    entry_store: EntryStore, table: TableClient
) -> None:
    entry_store.add(OWNER, "c1", NOW - timedelta(days=1), [Rated(GUY, 1), Rated(DON, 1)], "note")
    history(entry_store, GUY)

    entry_store.clear(OWNER, NOW)

    assert keys(table) == [PERSONS_MARKER]


def test_the_sweep_takes_expired_entries_person_rows_and_an_inactive_members_marker(
    entry_store: EntryStore, table: TableClient
) -> None:
    limit = NOW - timedelta(days=30)
    entry_store.add(OWNER, "kept", limit, [Rated(GUY, 1)], "kept")
    entry_store.add(OWNER, "old", limit - timedelta(milliseconds=1), [Rated(GUY, -1), Rated(DON, 1)], "old")
    entry_store.add(OTHER, "old", limit - timedelta(days=1), [Rated(DON, 1)])
    history(entry_store, GUY)
    history(entry_store, DON, OTHER)
    for owner in (OWNER, OTHER):  # read the person rows last 40 days ago, and 29
        age = timedelta(days=40 if owner == OTHER else 29)
        table.update_entity({"PartitionKey": owner, "RowKey": PERSONS_MARKER, "At": NOW - age})

    swept = expire(entry_store, NOW, 30)

    assert (swept.entries, swept.person_rows, swept.finished) == (3, 4, True)  # 3 person rows, 1 marker
    assert keys(table) == sorted(
        [PERSONS_MARKER, row_key(limit, "kept", 0), person_row_key(GUY, row_key(limit, "kept", 0))]
    )
    assert keys(table, OTHER) == []
    assert history(entry_store, GUY) == [(limit, 1)]


# --- Entries logged before person rows existed ---------------------------------------------------------------


def test_entries_logged_before_person_rows_get_theirs_when_first_read_and_show_nowhere_else(
    entry_store: EntryStore, table: TableClient
) -> None:
    for index in range(130):  # more than a transaction
        person = GUY if index % 2 else Person(f"P{index}", mention=False)
        old_entry(table, OWNER, NOW - timedelta(minutes=index), f"c{index}", person, 1 if index % 3 else -1)
    entry_store.add(OWNER, "new", NOW + timedelta(minutes=1), [Rated(GUY, 1)], "new")
    before = every_read(entry_store)

    guy = history(entry_store, GUY)

    assert len(guy) == 66 and guy[0] == (NOW + timedelta(minutes=1), 1) and guy[1] == (NOW - timedelta(minutes=1), 1)
    assert history(entry_store, Person("P128", mention=False)) == [(NOW - timedelta(minutes=128), 1)]
    assert len(keys(table)) == 2 * 131 + 1  # each entry, its person row, and the marker
    assert every_read(entry_store) == before
    assert len(list(entry_store.all_entries(OWNER))) == 131


def every_read(store: EntryStore) -> tuple[object, ...]:
    """What every read of entries returns for the owner's 130 old entries and the one new."""
    return (
        list(store.entries(OWNER, ALL_TIME)),
        store.page(OWNER, ALL_TIME, None, None, 200),
        store.newer_start(OWNER, ALL_TIME, None, row_key(NOW - timedelta(minutes=129), "c129", 0), 50),
        list(store.ratings_since(OWNER, ALL_TIME)),
        list(store.all_entries(OWNER)),
    )


def test_the_first_read_fills_once_and_a_new_store_finds_the_marker(table: TableClient) -> None:
    old_entry(table, OWNER, NOW, "c1", GUY, 1)
    EntryStore(table, NOTES).person_history(OWNER, DON)  # a generator: nothing is read until it is
    assert keys(table) == [row_key(NOW, "c1", 0)]

    assert history(EntryStore(table, NOTES), DON) == []
    old_entry(table, OWNER, NOW - timedelta(days=1), "written-the-old-way-after", GUY, 1)

    assert history(EntryStore(table, NOTES), GUY) == [(NOW, 1)]  # the marker says it is done: not read again
    assert EntryStore(table, NOTES).forget(OWNER, GUY, NOW) == 1


def test_forget_fills_first_so_that_entries_logged_before_person_rows_go_too(table: TableClient) -> None:
    old_entry(table, OWNER, NOW - timedelta(days=2), "c1", GUY, 1)
    old_entry(table, OWNER, NOW - timedelta(days=1), "c2", DON, 1)

    assert EntryStore(table, NOTES).forget(OWNER, GUY, NOW) == 1

    assert [e.person for e in EntryStore(table, NOTES).all_entries(OWNER)] == [DON]


class UndoneWhileFilling(EntryStore):
    """A store whose fill reads the entries, then sees one of them undone before it writes the person rows."""

    def __init__(self, table: TableClient, undo: tuple[str, datetime]) -> None:
        super().__init__(table, NOTES)
        self.undo = undo

    def _write_person_rows(self, owner: str, entries: list[Any]) -> None:
        command_id, at = self.undo
        EntryStore(self._table, NOTES).remove(owner, command_id, at, 1)
        super()._write_person_rows(owner, entries)


def test_an_entry_undone_while_its_person_row_is_being_filled_leaves_no_row(table: TableClient) -> None:
    for index in range(3):
        old_entry(table, OWNER, NOW - timedelta(minutes=index), f"c{index}", GUY, 1)

    filled = history(UndoneWhileFilling(table, ("c1", NOW - timedelta(minutes=1))), GUY)

    assert filled == [(NOW, 1), (NOW - timedelta(minutes=2), 1)]
    assert len(keys(table)) == 2 * 2 + 1
