"""The store: what a user logs is what they read back, in the window they ask for, and what is cleared, undone
or past keeping goes. The same tests run against Azurite and the in-memory stand-in (conftest.py's
``store``); those that look at the table itself, or at Table Storage's own ways, against Azurite alone."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from azure.data.tables import TableClient, TableServiceClient

from interactions.model import CLEAR_MEMORY, MAX_PEOPLE, Person, Rated
from interactions.retention import expire
from interactions.storage_account import StorageAccount, worker_concurrency
from interactions.store import EntryStore, person_row_key, row_key
from local.azurite import Azurite
from tests.integration.conftest import NOTES, SweptStore, counted_table

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 26, 12, 0, 0, 123000, tzinfo=UTC)
DON = Person("U0DON", mention=True)
GUY = Person("Random Guy", mention=False)
OWNER = "f" * 64
OTHER = "e" * 64


@pytest.fixture
def entry_store(table: TableClient) -> EntryStore:
    return EntryStore(table, NOTES)


def rated(*people: tuple[Person, int]) -> list[Rated]:
    return [Rated(person, rating) for person, rating in people]


def bulk_add(store: SweptStore, owner: str, count: int, start: datetime) -> None:
    """``count`` entries, ``P0`` the newest: commands of MAX_PEOPLE each, a minute apart going back from
    ``start``."""
    for first in range(0, count, MAX_PEOPLE):
        people = [
            Rated(Person(f"P{index}", mention=False), 1) for index in range(first, min(first + MAX_PEOPLE, count))
        ]
        store.add(owner, f"c{first}", start - timedelta(minutes=first // MAX_PEOPLE), people)


def test_round_trip_keeps_people_ratings_and_time(store: SweptStore) -> None:
    store.add("owner-a", "cmd1", NOW, rated((DON, 1), (GUY, -1), (Person("李雷", mention=False), 1)))

    entries = list(store.entries("owner-a", NOW - timedelta(days=30)))

    assert [(e.person, e.rating) for e in entries] == [(DON, 1), (GUY, -1), (Person("李雷", mention=False), 1)]
    assert {e.at for e in entries} == {NOW}


def test_entries_come_newest_first_and_only_inside_the_window(store: SweptStore) -> None:
    for days_ago in (0, 5, 29, 31, 89, 91):
        store.add("owner-a", f"c{days_ago}", NOW - timedelta(days=days_ago), rated((DON, 1)))

    def days_ago_seen(days: int) -> list[int]:
        return [(NOW - e.at).days for e in store.entries("owner-a", NOW - timedelta(days=days))]

    assert days_ago_seen(30) == [0, 5, 29]
    assert days_ago_seen(90) == [0, 5, 29, 31, 89]
    assert days_ago_seen(1) == [0]


def test_window_boundary_is_inclusive_to_the_millisecond(store: SweptStore) -> None:
    since = NOW - timedelta(days=30)
    store.add("owner-a", "at", since, rated((DON, 1)))
    store.add("owner-a", "before", since - timedelta(milliseconds=1), rated((GUY, 1)))

    assert [e.person for e in store.entries("owner-a", since)] == [DON]


def test_rating_filter_and_other_users_are_kept_apart(store: SweptStore) -> None:
    store.add("owner-a", "c1", NOW, rated((DON, 1), (GUY, -1)))
    store.add("owner-b", "c2", NOW, rated((DON, -1)))

    since = NOW - timedelta(days=30)
    assert [e.person for e in store.entries("owner-a", since, rating=-1)] == [GUY]
    assert [e.person for e in store.entries("owner-a", since, rating=1)] == [DON]
    assert [e.rating for e in store.entries("owner-b", since)] == [-1]
    assert list(store.ratings_since("owner-a", since)) == [1, -1]


def test_a_redelivered_command_is_stored_once(store: SweptStore) -> None:
    people = rated((DON, 1), (GUY, -1))
    store.add("owner-a", "same-command", NOW, people)

    store.add("owner-a", "same-command", NOW, people)

    assert [(e.person, e.rating, e.at) for e in store.all_entries("owner-a")] == [(DON, 1, NOW), (GUY, -1, NOW)]


def test_redelivered_command_leaves_exactly_the_same_entities(entry_store: EntryStore, table: TableClient) -> None:
    people = rated((DON, 1), (GUY, -1))
    entry_store.add("owner-a", "same-command", NOW, people)
    first = sorted((e["RowKey"], dict(e)) for e in table.list_entities())

    entry_store.add("owner-a", "same-command", NOW, people)

    assert sorted((e["RowKey"], dict(e)) for e in table.list_entities()) == first
    assert len(first) == 4  # each entry, and its row kept for its person


def test_nothing_but_the_entry_and_its_person_row_is_stored(entry_store: EntryStore, table: TableClient) -> None:
    entry_store.add("owner-a", "c1", NOW, rated((DON, 1)))

    entry, person = table.list_entities()

    assert set(entry) == set(person) == {"PartitionKey", "RowKey", "Person", "Mention", "Rating", "At"}
    assert person["RowKey"] == person_row_key(DON, entry["RowKey"])


def test_reads_stream_past_a_1000_entity_page(store: SweptStore) -> None:
    bulk_add(store, "owner-a", 2500, NOW)

    entries = list(store.entries("owner-a", NOW - timedelta(days=30)))

    assert len(entries) == 2500
    assert [e.person.name for e in entries[:3]] == ["P0", "P1", "P2"]
    assert entries == sorted(entries, key=lambda e: e.at, reverse=True)


def test_clear_deletes_more_than_a_page_and_a_transaction_and_spares_others(
    store: SweptStore,
) -> None:
    bulk_add(store, "owner-a", 2150, NOW)
    store.add("owner-b", "keep", NOW, rated((DON, 1)))

    assert store.clear("owner-a", NOW) == 2150

    assert list(store.all_entries("owner-a")) == []
    assert [entry.person for entry in store.all_entries("owner-b")] == [DON]
    assert store.cleared_since("owner-a", NOW) and not store.cleared_since("owner-b", NOW - CLEAR_MEMORY)


def test_clear_of_nothing_and_reads_before_the_table_exists_are_fine(store: SweptStore) -> None:
    assert list(store.entries("nobody", NOW - timedelta(days=30))) == []
    assert store.clear("nobody", NOW) == 0


def test_odd_names_are_stored_and_read_back_literally(store: SweptStore) -> None:
    odd = [
        "x' or PartitionKey ne 'y",
        "a/b\\c#d?e",
        "tab\there\x07bell",
        "🦄 emoji 👩‍💻",
        "é" * 80,
    ]
    store.add("owner-a", "odd", NOW, rated(*[(Person(name, mention=False), 1) for name in odd]))

    assert [e.person.name for e in store.entries("owner-a", NOW - timedelta(days=1))] == odd


def test_has_command_tells_whether_a_log_was_saved(store: SweptStore) -> None:
    store.add("owner-a", "saved", NOW, rated((DON, 1), (GUY, -1)))

    assert store.has_command("owner-a", "saved", NOW)
    assert not store.has_command("owner-a", "never-saved", NOW)
    assert not store.has_command("owner-b", "saved", NOW)


def test_a_clear_is_remembered_a_day_outside_every_partition_so_an_older_log_can_remove_itself(
    store: SweptStore,
) -> None:
    store.clear("owner-a", NOW)
    store.clear("owner-a", NOW - timedelta(minutes=5))  # processed late: the latest clear still counts
    store.add("owner-a", "late", NOW - timedelta(seconds=1), rated((DON, 1), (GUY, -1)))

    assert store.cleared_since("owner-a", NOW - timedelta(seconds=1))
    assert store.cleared_since("owner-a", NOW)
    assert not store.cleared_since("owner-a", NOW + timedelta(milliseconds=1))
    assert not store.cleared_since("owner-b", NOW - timedelta(days=1))
    store.remove("owner-a", "late", NOW - timedelta(seconds=1), 2)
    assert list(store.entries("owner-a", NOW - timedelta(days=1))) == []


def test_a_clear_marker_holds_its_time_and_nothing_else(entry_store: EntryStore, table: TableClient) -> None:
    entry_store.add("owner-a", "before", NOW - timedelta(seconds=1), rated((DON, 1)))

    entry_store.clear("owner-a", NOW)

    assert [(e["PartitionKey"], e["RowKey"], set(e)) for e in table.list_entities()] == [
        ("cleared", "owner-a", {"PartitionKey", "RowKey", "At"})
    ]


def test_clears_older_than_a_day_are_forgotten_by_the_next_clear(store: SweptStore) -> None:
    store.clear("owner-a", NOW - timedelta(days=1, seconds=1))
    store.clear("owner-b", NOW - timedelta(hours=23))

    store.clear("owner-c", NOW)

    assert not store.cleared_since("owner-a", NOW - timedelta(days=2))
    assert store.cleared_since("owner-b", NOW - timedelta(days=1))
    assert store.cleared_since("owner-c", NOW)


def test_a_clear_keeps_what_was_logged_after_it(store: SweptStore) -> None:
    store.add("owner-a", "before", NOW - timedelta(seconds=1), rated((GUY, 1)))
    store.add("owner-a", "after", NOW + timedelta(milliseconds=1), rated((DON, 1)))  # carried out first

    assert store.clear("owner-a", NOW) == 1

    assert [e.person for e in store.entries("owner-a", NOW - timedelta(days=1))] == [DON]


def test_a_table_gone_since_it_was_made_is_made_again_on_the_next_command(azurite: Azurite, unique_name: str) -> None:
    # As when `make run`'s Azurite comes back empty, or the table is deleted on Azure: no restart needed.
    store = EntryStore.connect(StorageAccount(connection_string=azurite.connection_string), unique_name)
    tables = TableServiceClient.from_connection_string(azurite.connection_string)
    store.add(OWNER, "c1", NOW, [Rated(DON, 1)])

    tables.delete_table(unique_name)
    assert list(store.entries(OWNER, NOW - timedelta(days=1))) == []
    tables.delete_table(unique_name)
    store.add(OWNER, "c2", NOW, [Rated(DON, -1)])
    assert [entry.rating for entry in store.entries(OWNER, NOW - timedelta(days=1))] == [-1]
    tables.delete_table(unique_name)
    assert store.clear(OWNER, NOW) == 0
    assert store.cleared_since(OWNER, NOW)


def test_all_entries_reach_back_past_the_longest_view_and_past_a_page(store: SweptStore) -> None:
    bulk_add(store, OWNER, 1100, NOW)
    store.add(OWNER, "ancient", NOW - timedelta(days=4000), rated((DON, -1)))
    store.add("someone-else", "theirs", NOW, rated((GUY, 1)))

    entries = list(store.all_entries(OWNER))

    assert len(entries) == 1101
    assert entries[0].person == Person("P0", mention=False) and entries[0].at == NOW
    assert (entries[-1].person, entries[-1].rating, entries[-1].at) == (DON, -1, NOW - timedelta(days=4000))
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)
    assert list(store.all_entries("nobody")) == []


def test_a_page_is_read_with_one_request_however_far_back_it_starts(azurite: Azurite, unique_name: str) -> None:
    table, requests = counted_table(azurite, unique_name)
    store = EntryStore(table)
    bulk_add(store, OWNER, 1200, NOW)
    start = row_key(NOW - timedelta(minutes=1100 // MAX_PEOPLE), "c1100", 0)

    requests.clear()
    page = store.page(OWNER, NOW - timedelta(days=30), None, start, 50)

    assert requests == ["GET"]
    assert [entry.person.name for entry in page.entries] == [f"P{index}" for index in range(1100, 1150)]
    assert page.next_key == row_key(NOW - timedelta(minutes=1150 // MAX_PEOPLE), "c1150", 0)


def test_an_undo_marker_is_never_taken_for_an_entry(store: SweptStore) -> None:
    store.add(OWNER, "c1", NOW, rated((DON, 1)))

    assert store.remember_undo(OWNER, "c1", NOW + timedelta(seconds=3)) is False

    assert [entry.person for entry in store.entries(OWNER, NOW - timedelta(days=1))] == [DON]
    assert [entry.person for entry in store.all_entries(OWNER)] == [DON]


def test_an_undo_marker_holds_its_time_and_nothing_else(entry_store: EntryStore, table: TableClient) -> None:
    entry_store.remember_undo(OWNER, "c1", NOW + timedelta(seconds=3))

    (marker,) = table.query_entities("PartitionKey eq 'undone'")
    assert dict(marker) == {"PartitionKey": "undone", "RowKey": f"{OWNER}-c1", "At": NOW + timedelta(seconds=3)}


def test_an_undo_on_a_table_gone_since_it_was_made_makes_it_again(azurite: Azurite, unique_name: str) -> None:
    store = EntryStore.connect(StorageAccount(connection_string=azurite.connection_string), unique_name)
    tables = TableServiceClient.from_connection_string(azurite.connection_string)
    store.add(OWNER, "c1", NOW, [Rated(DON, 1)])

    tables.delete_table(unique_name)
    assert not store.undone(OWNER, "c1")
    assert store.command_entries(OWNER, "c1", NOW, 1) == []
    assert store.page(OWNER, NOW - timedelta(days=1), None, None, 50).entries == []
    assert store.newer_start(OWNER, NOW - timedelta(days=1), None, "9" * 13, 50) is None
    tables.delete_table(unique_name)
    assert store.remember_undo(OWNER, "c1", NOW) is False
    assert store.undone(OWNER, "c1")


def test_the_sweep_forgets_undos_after_a_day_and_never_takes_them_for_entries(store: SweptStore) -> None:
    digits = "9" * 64  # a pseudonym whose markers' keys sort among old entries' keys
    store.remember_undo(digits, "young", NOW - timedelta(hours=23))
    store.remember_undo(digits, "old", NOW - timedelta(days=1, seconds=1))
    store.remember_undo(OWNER, "old", NOW - timedelta(days=40))
    store.add(digits, "kept", NOW - timedelta(days=29), rated((DON, 1)))
    store.add(digits, "expired", NOW - timedelta(days=31), rated((GUY, 1)))

    assert sum(store.expired_pages(NOW - timedelta(days=30))) == 1
    assert store.undone(digits, "young") and store.undone(digits, "old") and store.undone(OWNER, "old")

    swept = expire(store, NOW, 30)

    assert (swept.entries, swept.markers) == (0, 2)
    assert store.undone(digits, "young")
    assert not store.undone(digits, "old") and not store.undone(OWNER, "old")
    assert [entry.person for entry in store.all_entries(digits)] == [DON]


def test_an_event_is_remembered_once_from_its_first_time_and_forgotten_after_a_day(store: SweptStore) -> None:
    assert store.remember_event("Ev0ABC", NOW - CLEAR_MEMORY - timedelta(minutes=1)) is False
    assert store.remember_event("Ev0ABC", NOW) is True  # Slack's retry, on any instance
    assert store.remember_event("Ev0NEW", NOW) is False

    assert sum(store.expired_marker_pages(NOW - CLEAR_MEMORY)) == 1
    assert not store.event_seen("Ev0ABC") and store.event_seen("Ev0NEW")


def test_an_event_marker_holds_its_time_and_nothing_else(entry_store: EntryStore, table: TableClient) -> None:
    entry_store.remember_event("Ev0ABC", NOW)

    (marker,) = table.list_entities()
    assert set(marker) == {"PartitionKey", "RowKey", "At"} and marker["RowKey"] == "Ev0ABC"


def test_as_many_reads_at_once_as_a_worker_carries_out_keep_their_connections_without_warnings(
    azurite: Azurite, unique_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = EntryStore.connect(StorageAccount(connection_string=azurite.connection_string), unique_name)
    store.ensure_table()
    at_once = worker_concurrency()
    together = threading.Barrier(at_once)

    def read(_index: int) -> int:
        together.wait(timeout=30)
        return len(list(store.entries(OWNER, NOW - timedelta(days=1))))

    with caplog.at_level(logging.WARNING, logger="urllib3.connectionpool"), ThreadPoolExecutor(at_once) as pool:
        for _round in range(3):
            assert list(pool.map(read, range(at_once))) == [0] * at_once
    assert [r.getMessage() for r in caplog.records if "pool is full" in r.getMessage()] == []


def test_of_a_views_presses_only_the_newest_carried_out_is_newest(store: SweptStore) -> None:
    assert store.newest_press(OWNER, "V0MODAL", "1712345678.000200", NOW)
    assert not store.newest_press(OWNER, "V0MODAL", "1712345678.000100", NOW)  # made before, carried out after
    assert store.newest_press(OWNER, "V0MODAL", "1712345678.000200", NOW)  # the same press, delivered again
    assert store.newest_press(OWNER, "V0MODAL", "1712345679.5", NOW)
    assert store.newest_press(OWNER, "V0OTHER", "1712345678.000100", NOW)  # each view its own


def test_a_press_in_another_members_view_changes_nothing_for_them(store: SweptStore) -> None:
    assert store.newest_press(OTHER, "V0MODAL", "1712345999.000000", NOW)  # another member names the view
    assert store.newest_press(OWNER, "V0MODAL", "1712345678.000100", NOW)
    assert not store.newest_press(OWNER, "V0MODAL", "1712345678.000000", NOW)


def test_of_presses_of_one_view_carried_out_at_once_the_newest_wins(entry_store: EntryStore) -> None:
    made = [f"1712345678.{index:06d}" for index in range(12)]
    together = threading.Barrier(len(made))

    def claim(pressed_at: str) -> bool:
        together.wait(timeout=30)
        return entry_store.newest_press(OWNER, "V0RACE", pressed_at, NOW)

    with ThreadPoolExecutor(len(made)) as pool:
        list(pool.map(claim, made))
    assert not entry_store.newest_press(OWNER, "V0RACE", made[-2], NOW)
    assert entry_store.newest_press(OWNER, "V0RACE", made[-1], NOW)
