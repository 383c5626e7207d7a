"""The storage of entries: the only code that talks to Azure Table Storage.

One partition per user, keyed by the pseudonymous owner key, and one each of the recent clears (``cleared``),
forgets (``forgotten``), undos (``undone``) and events carried out (``events``).
An entry's RowKey sorts newest first: ``<inverted ms timestamp, 13 digits>-<command id>-<index>``, so a time
window is a RowKey range read on the server, and writing the same command twice writes the same rows.
Each entry has a second row in its partition, laid out for its person: ``p<person key>-<the entry's RowKey>``,
so that one person's entries are a RowKey range too, newest first; the two are written and deleted together.
``~persons`` in a partition says that every entry in it has its person row (those logged before person rows
existed get theirs the first time the member's person rows are read). Entries' keys start with a digit and
sort before both.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from azure.core import MatchConditions
from azure.core.exceptions import (
    HttpResponseError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
)
from azure.data.tables import TableClient, TableTransactionError, UpdateMode

from interactions.model import CLEAR_MEMORY, Entry, Person, Rated, person_key
from interactions.notes import NoteCipher
from interactions.ports import EntryPage
from interactions.pseudonym import view_tag
from interactions.storage_account import StorageAccount

log = logging.getLogger(__name__)

_LATEST_MS = 10**13 - 1  # year 2286; keeps inverted timestamps at 13 digits
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # and the earliest time they hold
_MILLISECOND = timedelta(milliseconds=1)
T = TypeVar("T")
IF_UNCHANGED = MatchConditions.IfNotModified
PAGE_SIZE = 1000  # the service's largest page
TRANSACTION_SIZE = 100  # the service's largest entity-group transaction
_ENTRY_PROPERTIES = ["RowKey", "Person", "Mention", "Rating", "At", "Note"]  # the RowKey opens the note
# Entries' RowKeys start with a digit: every key below this one is an entry's.
PAST_ENTRIES = ":"
PERSON_ROWS = "p"  # the first character of a person row's key
PAST_PERSON_ROWS = "q"
_PERSON_ROW_PREFIX = len(PERSON_ROWS) + 32 + 1  # "p", the person key, "-"
# In a member's partition: every entry there has its person row. ``At`` when that was made so, nothing else.
PERSONS_MARKER = "~persons"
# Who cleared within CLEAR_MEMORY, and when: RowKey the owner key, ``At`` the time, nothing else.
# Pseudonyms are 64 hex digits, so this partition cannot be anyone's.
CLEARED_PARTITION = "cleared"
# Who forgot whom, and when: RowKey ``<owner key>-<person key>``, ``At`` the time, nothing else.
FORGOTTEN_PARTITION = "forgotten"
# Which logs were undone, and when: RowKey ``<owner key>-<command id>``, ``At`` the time, nothing else.
UNDONE_PARTITION = "undone"
# Which Events API deliveries were carried out, and when: RowKey Slack's event id, ``At`` the time.
EVENTS_PARTITION = "events"
# The newest press carried out of each modal or Home tab: RowKey Slack's view id, ``Pressed`` its action_ts,
# ``At`` when it was received.
PRESSES_PARTITION = "presses"
MARKER_PARTITIONS = (CLEARED_PARTITION, FORGOTTEN_PARTITION, UNDONE_PARTITION, EVENTS_PARTITION, PRESSES_PARTITION)
# The markers' partitions, as a scan across partitions leaves them out: their RowKeys are pseudonyms and ids,
# which may sort among an entry's or a person row's.
_MARKERS = {f"marker{index}": partition for index, partition in enumerate(MARKER_PARTITIONS)}
_NOT_MARKERS = " and ".join(f"PartitionKey ne @{name}" for name in _MARKERS)


def _table_missing(error: HttpResponseError) -> bool:
    # Most calls copy the service's error code onto the error; an insert leaves it in the response's headers.
    headers = getattr(error.response, "headers", None) or {}
    return bool((getattr(error, "error_code", None) or headers.get("x-ms-error-code")) == "TableNotFound")


def _batched(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _inverted(at: datetime) -> str:
    return f"{_LATEST_MS - int(at.timestamp() * 1000):013d}"


def row_key(at: datetime, command_id: str, index: int) -> str:
    return f"{_inverted(at)}-{command_id}-{index:02d}"


def newer_than(since: datetime) -> str:
    """Upper RowKey bound (exclusive) of the rows at or after ``since``."""
    return f"{int(_inverted(since)) + 1:013d}"


def person_rows(person: Person) -> str:
    """The start of the keys of one person's rows; they end before the same with ``.`` for ``-``."""
    return f"{PERSON_ROWS}{person_key(person)}-"


def person_row_key(person: Person, entry_key: str) -> str:
    return person_rows(person) + entry_key


def entry_key_of(person_row: str) -> str:
    """The RowKey of the entry a person row is kept for."""
    return person_row[_PERSON_ROW_PREFIX:]


class EntryStore:
    def __init__(self, table: TableClient, notes: NoteCipher | None = None) -> None:
        """``notes`` seals and opens notes; a store made without it keeps none and reads every note as absent."""
        self._table = table
        self._table_ready = False
        self._notes = notes
        self._filled: set[str] = set()  # members whose entries all have their person rows, as seen here

    @classmethod
    def connect(cls, storage: StorageAccount, table_name: str, notes: NoteCipher | None = None) -> EntryStore:
        # The SDK's exponential retry rides out brief storage faults (about 8 s in all, not its default of
        # minutes, which would outlast functionTimeout); what still fails propagates, so the queue host
        # retries the message later and finally moves it to the poison queue.
        return cls(
            storage.table_client(
                table_name,
                retry_total=4,
                retry_backoff_factor=0.5,
                retry_backoff_max=8,
                connection_timeout=5,
                read_timeout=30,
            ),
            notes,
        )

    def ensure_table(self) -> None:
        if not self._table_ready:
            try:
                self._table.create_table()
            except ResourceExistsError:
                pass
            self._table_ready = True

    def _on_table(self, operation: Callable[[], T]) -> T:
        """Run a write; when the table has gone since it was made (a fresh storage emulator, a table deleted
        on Azure), make it again and run the write once more, rather than fail every command until a
        restart."""
        self.ensure_table()
        try:
            return operation()
        except HttpResponseError as error:
            if not _table_missing(error):
                raise
        self._table_ready = False
        self.ensure_table()
        return operation()

    def _rows(self, query: str, parameters: dict[str, Any], select: list[str]) -> Iterator[Any]:
        """The rows a query reads, page by page; none, and the table made again, when it has gone."""
        self.ensure_table()
        rows = self._table.query_entities(query, parameters=parameters, select=select, results_per_page=PAGE_SIZE)
        try:
            yield from rows
        except HttpResponseError as error:
            if not _table_missing(error):
                raise
            self._table_ready = False
            self.ensure_table()

    def _first_rows(self, query: str, parameters: dict[str, Any], select: list[str], count: int) -> list[Any]:
        """The first ``count`` rows a query reads: one request, unless the service ends a page early."""
        self.ensure_table()
        pages = self._table.query_entities(query, parameters=parameters, select=select, results_per_page=count)
        rows: list[Any] = []
        try:
            for page in pages.by_page():
                rows.extend(page)
                if len(rows) >= count:
                    break
        except HttpResponseError as error:
            if not _table_missing(error):
                raise
            self._table_ready = False
            self.ensure_table()
        return rows[:count]

    def add(self, owner: str, command_id: str, at: datetime, rated: Sequence[Rated], note: str | None = None) -> None:
        """Write one command's entries and their person rows atomically (25 people are 50 rows, within a
        transaction's 100); writing the same command again changes nothing."""
        if note is not None and self._notes is None:
            raise ValueError("this store was made without a note key, so it cannot keep a note")
        at = at.astimezone(UTC)
        operations: list[Any] = []
        for index, item in enumerate(rated):
            key = row_key(at, command_id, index)
            fields = {"Person": item.person.name, "Mention": item.person.mention, "Rating": item.rating, "At": at}
            for row in (key, person_row_key(item.person, key)):
                operations.append(("upsert", self._row(owner, row, fields, note), {"mode": UpdateMode.REPLACE}))
        self._on_table(lambda: self._table.submit_transaction(operations))

    def _row(self, owner: str, key: str, fields: dict[str, Any], note: str | None) -> dict[str, Any]:
        row = {"PartitionKey": owner, "RowKey": key, **fields}
        if note is not None and self._notes is not None:
            row["Note"] = self._notes.seal(note, owner, key)
        return row

    def person_history(self, owner: str, person: Person) -> Iterator[tuple[datetime, int]]:
        """When and how the owner met one person, newest first, from that person's rows alone."""
        self._fill(owner)
        query, parameters = _person_range(owner, person, None)
        for row in self._rows(query, parameters, ["Rating", "At"]):
            yield row["At"].astimezone(UTC), 1 if row["Rating"] > 0 else -1

    def person_page(self, owner: str, person: Person, start: str | None, size: int) -> EntryPage:
        """Up to ``size`` of the owner's entries about one person, with their notes, newest first, from the
        entry keyed ``start`` on; keyed as the entries are, so a key from ``page`` starts one here too."""
        self._fill(owner)
        query, parameters = _person_range(owner, person, None if start is None else person_row_key(person, start))
        rows = self._first_rows(query, parameters, _ENTRY_PROPERTIES, size + 1)
        return EntryPage(
            entries=list(self._entries(owner, rows[:size])),
            first_key=entry_key_of(rows[0]["RowKey"]) if rows else None,
            next_key=entry_key_of(rows[size]["RowKey"]) if len(rows) > size else None,
        )

    def forget(self, owner: str, person: Person, at: datetime) -> int:
        """Delete every entry the owner logged about one person up to ``at``, with its person row; returns
        how many. The forget's time is remembered first, as a clear's is, so that a log of that person typed
        before it cannot outlive it."""
        at = at.astimezone(UTC)
        self._on_table(lambda: self._remember_latest(FORGOTTEN_PARTITION, _forget_key(owner, person), at))
        self._fill(owner)
        query, parameters = _person_range(owner, person, person_rows(person) + _inverted(at))
        forgotten = 0
        for page in _batched(self._rows(query, parameters, ["RowKey"]), TRANSACTION_SIZE // 2):
            person_keys = [row["RowKey"] for row in page]
            self._delete(owner, [key for row in person_keys for key in (entry_key_of(row), row)])
            forgotten += len(page)
        return forgotten

    def forgotten_since(self, owner: str, person: Person, at: datetime) -> bool:
        """Whether the owner forgot the person at or after ``at`` (within the markers' memory)."""
        self.ensure_table()
        try:
            forgotten = self._table.get_entity(FORGOTTEN_PARTITION, _forget_key(owner, person), select=["At"])
        except ResourceNotFoundError:
            return False
        return bool(forgotten["At"] >= at)

    def _fill(self, owner: str) -> None:
        """Give every entry of the owner that has no person row its row (those logged before person rows
        existed), once: then the marker says so. Each row is written in one transaction with a check that
        its entry is still there, so that an entry deleted meanwhile (Undo, clear, forget) leaves no row."""
        if owner in self._filled:
            return
        self.ensure_table()
        try:
            self._table.get_entity(owner, PERSONS_MARKER, select=["RowKey"])
        except ResourceNotFoundError:
            query = "PartitionKey eq @owner and RowKey ge @first and RowKey lt @past"
            span = {"owner": owner, "first": PERSON_ROWS, "past": PAST_PERSON_ROWS}
            have = {row["RowKey"] for row in self._rows(query, span, ["RowKey"])}
            entries = self._rows(*_entry_range(owner), _ENTRY_PROPERTIES)
            missing = (row for row in entries if _person_row_of(row) not in have)
            for page in _batched(missing, TRANSACTION_SIZE // 2):
                self._write_person_rows(owner, page)
            marker = {"PartitionKey": owner, "RowKey": PERSONS_MARKER, "At": datetime.now(UTC)}
            self._table.upsert_entity(marker, mode=UpdateMode.REPLACE)
        self._filled.add(owner)

    def _write_person_rows(self, owner: str, entries: list[Any]) -> None:
        def operations(row: Any) -> list[Any]:
            entry = self._entry(owner, row)
            fields = {"Person": row["Person"], "Mention": row["Mention"], "Rating": row["Rating"], "At": row["At"]}
            person_row = self._row(owner, _person_row_of(row), fields, entry.note)
            # Merging nothing into the entry fails the transaction when the entry has gone.
            entry_there = {"PartitionKey": owner, "RowKey": row["RowKey"]}
            return [("update", entry_there, {"mode": UpdateMode.MERGE}), ("upsert", person_row)]

        try:
            self._table.submit_transaction([op for row in entries for op in operations(row)])
        except TableTransactionError:
            for row in entries:  # some entry has gone: the others one by one
                try:
                    self._table.submit_transaction(operations(row))
                except TableTransactionError:
                    continue

    def has_command(self, owner: str, command_id: str, at: datetime) -> bool:
        """Whether a log command's entries are stored: they are written all at once or not at all."""
        self.ensure_table()
        try:
            self._table.get_entity(owner, row_key(at, command_id, 0), select=["RowKey"])
        except ResourceNotFoundError:
            return False
        return True

    def entries(self, owner: str, since: datetime, rating: int | None = None) -> Iterator[Entry]:
        """The owner's entries at or after ``since``, newest first, streamed page by page."""
        return self._entries(owner, self._window(owner, since, rating, _ENTRY_PROPERTIES))

    def ratings_since(self, owner: str, since: datetime, without: str | None = None) -> Iterator[int]:
        """The ratings of the owner's entries at or after ``since``; ``without`` a command id, not that
        command's own."""
        left_out = f"-{without}-" if without is not None else None
        for row in self._window(owner, since, None, ["RowKey", "Rating"] if left_out else ["Rating"]):
            if left_out is None or left_out not in row["RowKey"]:
                yield 1 if row["Rating"] > 0 else -1

    def page(self, owner: str, since: datetime, rating: int | None, start: str | None, size: int) -> EntryPage:
        """Up to ``size`` entries at or after ``since``, newest first, from the entry keyed ``start`` on (or the
        first after it, when that one has gone). One more is read for the key that the next page starts at."""
        query = "PartitionKey eq @owner and RowKey lt @newer_than"
        parameters: dict[str, Any] = {"owner": owner, "newer_than": newer_than(since)}
        if start is not None:
            query += " and RowKey ge @start"
            parameters["start"] = start
        query, parameters = _rated(query, parameters, rating)
        rows = self._first_rows(query, parameters, _ENTRY_PROPERTIES, size + 1)
        return EntryPage(
            entries=list(self._entries(owner, rows[:size])),
            first_key=rows[0]["RowKey"] if rows else None,
            next_key=rows[size]["RowKey"] if len(rows) > size else None,
        )

    def newer_start(self, owner: str, since: datetime, rating: int | None, before: str, size: int) -> str | None:
        """The key of the first entry of the ``size`` entries just newer than the entry keyed ``before``; None
        when no more than ``size`` are newer, as that page is then the newest. Reads keys only: a page of 1,000
        rows costs little, and the page asked for is seldom far from the newest."""
        query = "PartitionKey eq @owner and RowKey lt @before"
        query, parameters = _rated(query, {"owner": owner, "before": min(before, newer_than(since))}, rating)
        newest = deque((row["RowKey"] for row in self._rows(query, parameters, ["RowKey"])), maxlen=size + 1)
        return newest[1] if len(newest) > size else None

    def clear(self, owner: str, at: datetime) -> int:
        """Delete every entry the owner logged up to ``at``, a page at a time, then their person rows; returns
        how many entries. The clear's time is remembered first, for a day, so that a log typed before it cannot
        outlive it. The member's ``~persons`` marker stays: what it says still holds of every entry left."""
        at = at.astimezone(UTC)
        self._on_table(lambda: self._remember_latest(CLEARED_PARTITION, owner, at))
        self._delete_all(
            CLEARED_PARTITION,
            "PartitionKey eq @cleared and At lt @forgotten",
            {"cleared": CLEARED_PARTITION, "forgotten": at - CLEAR_MEMORY},
        )
        # Only what was logged up to the clear: a log typed after it may be carried out before it.
        until = _inverted(at)
        cleared = self._delete_all(
            owner,
            "PartitionKey eq @owner and RowKey ge @until and RowKey lt @past_entries",
            {"owner": owner, "until": until, "past_entries": PAST_ENTRIES},
        )
        # After the entries: a person row is only ever written while its entry is there, so none of those
        # deleted can get one now. Rows logged within the clear's millisecond and after are read (the time
        # of a row is rounded to it), and those after it kept by their keys' time.
        query = "PartitionKey eq @owner and RowKey ge @first and RowKey lt @past and At lt @after"
        span = {"owner": owner, "first": PERSON_ROWS, "past": PAST_PERSON_ROWS, "after": at + _MILLISECOND}
        self._delete_all(owner, query, span, keep=lambda key: entry_key_of(key) >= until)
        return cleared

    def cleared_since(self, owner: str, at: datetime) -> bool:
        """Whether the owner cleared their logs at or after ``at`` (within the last day). A log checks this
        after writing its rows, and a clear remembers its time before deleting: one always sees the other."""
        self.ensure_table()
        try:
            cleared = self._table.get_entity(CLEARED_PARTITION, owner, select=["At"])
        except ResourceNotFoundError:
            return False
        return bool(cleared["At"] >= at)

    def remove(self, owner: str, command_id: str, at: datetime, count: int) -> None:
        """Delete one log command's entries, those a clear has not deleted already, with their person rows."""
        keys = [row_key(at, command_id, index) for index in range(count)]
        found = self._command_rows(owner, command_id, at, ["Person", "Mention"])
        people = [person_row_key(_person(row), row["RowKey"]) for row in found if row["RowKey"] in keys]
        for batch in _batched(iter([*keys, *people]), TRANSACTION_SIZE):
            self._delete(owner, batch)

    def _command_rows(self, owner: str, command_id: str, at: datetime, select: list[str]) -> list[Any]:
        """The stored entries of one log command, in one read."""
        query = "PartitionKey eq @owner and RowKey gt @before and RowKey lt @past"
        command = f"{_inverted(at.astimezone(UTC))}-{command_id}"
        span = {"owner": owner, "before": f"{command}-", "past": f"{command}."}
        return list(self._rows(query, span, ["RowKey", *select]))

    def remember_undo(self, owner: str, command_id: str, at: datetime) -> bool:
        """Remember that the owner undid a log; True when it was remembered already, undone before. Creating
        the marker is the test, so of two undos of one log at once exactly one finds it new."""
        entity = {"PartitionKey": UNDONE_PARTITION, "RowKey": _undo_key(owner, command_id), "At": at.astimezone(UTC)}
        try:
            self._on_table(lambda: self._table.create_entity(entity))
        except ResourceExistsError:
            return True
        return False

    def remember_event(self, event_id: str, at: datetime) -> bool:
        """Remember that an event from Slack was carried out; True when it was already. Slack retries an
        event it thinks was lost, and a retry may reach another instance than the first delivery."""
        entity = {"PartitionKey": EVENTS_PARTITION, "RowKey": event_id, "At": at.astimezone(UTC)}
        try:
            self._on_table(lambda: self._table.create_entity(entity))
        except ResourceExistsError:
            return True
        return False

    def newest_press(self, owner: str, view_id: str, pressed_at: str, at: datetime) -> bool:
        """Remember the press made at ``pressed_at`` (Slack's action_ts) as the newest of an owner's view
        carried out, unless a newer one is remembered: True when it is the newest. Each write is made under
        the etag of what was read, so of two presses at once an older one never replaces a newer one's. The
        marker is kept under the owner's tag of the view: no member's press reaches another's marker, and no
        Slack id is stored."""
        self.ensure_table()
        key = view_tag(owner, view_id)
        entity = {"PartitionKey": PRESSES_PARTITION, "RowKey": key, "Pressed": pressed_at, "At": at}
        for _attempt in range(5):
            try:
                known = self._table.get_entity(PRESSES_PARTITION, key, select=["Pressed"])
            except ResourceNotFoundError:
                try:
                    self._on_table(lambda: self._table.create_entity(entity))
                except ResourceExistsError:
                    continue  # another press of the view, at the same moment: read what it wrote
                return True
            if float(known["Pressed"]) >= float(pressed_at):
                return str(known["Pressed"]) == pressed_at
            try:
                self._table.update_entity(
                    entity, mode=UpdateMode.REPLACE, etag=known.metadata["etag"], match_condition=IF_UNCHANGED
                )
            except (ResourceModifiedError, ResourceNotFoundError):
                continue
            return True
        return False

    def event_seen(self, event_id: str) -> bool:
        """Whether an event from Slack was carried out (within the markers' memory)."""
        self.ensure_table()
        try:
            self._table.get_entity(EVENTS_PARTITION, event_id, select=["RowKey"])
        except ResourceNotFoundError:
            return False
        return True

    def undone(self, owner: str, command_id: str) -> bool:
        """Whether the owner undid the log (within the markers' memory)."""
        self.ensure_table()
        try:
            self._table.get_entity(UNDONE_PARTITION, _undo_key(owner, command_id), select=["RowKey"])
        except ResourceNotFoundError:
            return False
        return True

    def command_entries(self, owner: str, command_id: str, at: datetime, count: int) -> list[Entry]:
        """The entries of one log command that are still stored, in the order they were logged."""
        self.ensure_table()
        found: list[Any] = []
        for index in range(count):
            try:
                row = self._table.get_entity(owner, row_key(at, command_id, index), select=_ENTRY_PROPERTIES)
            except ResourceNotFoundError:
                continue
            found.append(row)
        return list(self._entries(owner, found))

    def _remember_latest(self, partition: str, key: str, at: datetime) -> None:
        try:
            known: datetime | None = self._table.get_entity(partition, key, select=["At"])["At"]
        except ResourceNotFoundError:
            known = None
        if known is None or known < at:  # clears or forgets processed out of order: the latest one counts
            entity = {"PartitionKey": partition, "RowKey": key, "At": at}
            self._table.upsert_entity(entity, mode=UpdateMode.REPLACE)

    def _delete_all(
        self, partition: str, query: str, parameters: dict[str, Any], keep: Callable[[str], bool] | None = None
    ) -> int:
        """Delete the rows a query reads (only those ``keep`` takes, when given); returns how many."""
        deleted = 0
        keys = (row["RowKey"] for row in self._rows(query, parameters, ["RowKey"]))
        for page in _batched(filter(keep, keys) if keep else keys, TRANSACTION_SIZE):
            self._delete(partition, page)
            deleted += len(page)
        return deleted

    def _delete(self, partition: str, row_keys: list[str]) -> None:
        try:
            self._table.submit_transaction([("delete", {"PartitionKey": partition, "RowKey": key}) for key in row_keys])
        except TableTransactionError:
            # Another clear of the same user got some rows first; delete the rest one by one.
            for key in row_keys:
                self._table.delete_entity(partition_key=partition, row_key=key)

    def _window(self, owner: str, since: datetime, rating: int | None, select: list[str]) -> Iterator[Any]:
        query = "PartitionKey eq @owner and RowKey lt @newer_than"
        return self._rows(*_rated(query, {"owner": owner, "newer_than": newer_than(since)}, rating), select)

    def all_entries(self, owner: str) -> Iterator[Entry]:
        """Every entry the owner has, of all time, newest first, streamed page by page."""
        return self._entries(owner, self._rows(*_entry_range(owner), _ENTRY_PROPERTIES))

    def _entries(self, owner: str, rows: Iterable[Any]) -> Iterator[Entry]:
        """Rows read as entries, their notes opened; how many notes did not open is logged, and nothing else
        of them."""
        unopened = 0
        try:
            for row in rows:
                entry = self._entry(owner, row)
                unopened += entry.note is None and row.get("Note") is not None
                yield entry
        finally:
            if unopened:
                log.warning("Notes that did not decrypt, read as absent: %d.", unopened)

    def _entry(self, owner: str, row: Any) -> Entry:
        sealed = row.get("Note")
        opened = self._notes.open(bytes(sealed), owner, row["RowKey"]) if sealed and self._notes else None
        return Entry(
            person=_person(row),
            rating=1 if row["Rating"] > 0 else -1,
            at=row["At"].astimezone(UTC),
            note=opened,
        )

    def expired_pages(self, before: datetime, page_size: int = PAGE_SIZE) -> Generator[int, None, None]:
        """Delete every member's entries logged before ``before``, one page of the query at a time, yielding
        how many each page deleted. Closing the generator between pages leaves the rest for a later call:
        the query holds no state, so nothing is skipped. A scan across partitions, for a daily sweep."""
        # RowKeys invert time, so older is greater. The markers' partitions are left out (their RowKeys
        # are pseudonyms, which may start with a digit), and only RowKeys that start with a digit, as an
        # entry's does, are read.
        query = f"{_NOT_MARKERS} and RowKey ge @older and RowKey lt @past_digits"
        older = newer_than(max(before, _EPOCH))
        parameters = {**_MARKERS, "older": older, "past_digits": PAST_ENTRIES}
        return self._delete_pages(query, parameters, page_size)

    def expired_person_pages(self, before: datetime, page_size: int = PAGE_SIZE) -> Generator[int, None, None]:
        """Delete the person rows of the entries ``expired_pages`` deletes, and the ``~persons`` markers of
        members who have not had their person rows read since ``before``, as it does: page by page, a scan
        across partitions. Rows within a millisecond of ``before`` are read, and kept by their keys' time as
        their entries are."""
        # Person rows' and the marker's keys sort after every entry's key.
        query = f"{_NOT_MARKERS} and RowKey ge @first and At lt @after"
        before = max(before, _EPOCH)
        parameters = {**_MARKERS, "first": PERSON_ROWS, "after": before + _MILLISECOND}
        older = newer_than(before)

        def expired(key: str) -> bool:
            if key == PERSONS_MARKER:
                return True  # its time is checked by the query; a millisecond more changes nothing of it
            return key.startswith(PERSON_ROWS) and key < PAST_PERSON_ROWS and entry_key_of(key) >= older

        return self._delete_pages(query, parameters, page_size, expired)

    def expired_marker_pages(self, before: datetime, page_size: int = PAGE_SIZE) -> Generator[int, None, None]:
        """Delete the clear, undo and event markers written before ``before``, page by page as
        ``expired_pages`` does: one partition after the other, each read on its own rather than scanning the
        table."""
        for partition in MARKER_PARTITIONS:
            query = "PartitionKey eq @partition and At lt @before"
            yield from self._delete_pages(query, {"partition": partition, "before": before}, page_size)

    def _delete_pages(
        self,
        query: str,
        parameters: dict[str, Any],
        page_size: int,
        keep: Callable[[str], bool] | None = None,
    ) -> Generator[int, None, None]:
        self.ensure_table()
        select = ["PartitionKey", "RowKey"]
        pages = self._table.query_entities(query, parameters=parameters, select=select, results_per_page=page_size)
        try:
            for page in pages.by_page():
                rows = [row for row in page if keep is None or keep(row["RowKey"])]
                for partition, row_keys in _by_partition(rows).items():
                    for batch in _batched(iter(row_keys), TRANSACTION_SIZE):
                        self._delete(partition, batch)
                yield len(rows)
        except HttpResponseError as error:
            if not _table_missing(error):
                raise
            self._table_ready = False
            self.ensure_table()


def _rated(query: str, parameters: dict[str, Any], rating: int | None) -> tuple[str, dict[str, Any]]:
    """The query kept to one rating, when one is given."""
    if rating is None:
        return query, parameters
    return query + " and Rating eq @rating", {**parameters, "rating": rating}


def _undo_key(owner: str, command_id: str) -> str:
    return f"{owner}-{command_id}"


def _forget_key(owner: str, person: Person) -> str:
    return f"{owner}-{person_key(person)}"


def _person(row: Any) -> Person:
    return Person(row["Person"], mention=bool(row["Mention"]))


def _person_row_of(entry: Any) -> str:
    return person_row_key(_person(entry), entry["RowKey"])


def _entry_range(owner: str) -> tuple[str, dict[str, Any]]:
    """Every entry of the owner: none of the person rows or the marker in the partition."""
    return "PartitionKey eq @owner and RowKey lt @past_entries", {"owner": owner, "past_entries": PAST_ENTRIES}


def _person_range(owner: str, person: Person, start: str | None) -> tuple[str, dict[str, Any]]:
    """The owner's rows of one person, newest first, from the row keyed ``start`` on."""
    first = person_rows(person)
    query = "PartitionKey eq @owner and RowKey ge @first and RowKey lt @past"
    return query, {"owner": owner, "first": max(first, start or first), "past": first[:-1] + "."}


def _by_partition(rows: list[Any]) -> dict[str, list[str]]:
    """Row keys by partition: an entity-group transaction stays within one."""
    grouped: dict[str, list[str]] = {}
    for row in rows:
        grouped.setdefault(row["PartitionKey"], []).append(row["RowKey"])
    return grouped
