"""In-memory stand-ins for what the use cases talk to: the entry store, Slack and the queue. They keep the
rules the real ones keep (a command's entries stored once, a clear deleting what was logged up to it and
remembered) so that the use cases can be tested in milliseconds; the real ones are tested against Azurite
and the Slack stand-in."""

from __future__ import annotations

import io
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View as ModalView

from interactions.model import CLEAR_MEMORY, Entry, Person, Rated, person_key
from interactions.ports import EntryPage
from interactions.store import newer_than, row_key


@dataclass
class FakeStore:
    rows: dict[str, dict[tuple[str, int], Entry]] = field(default_factory=dict)  # owner -> (command, index)
    clears: dict[str, datetime] = field(default_factory=dict)
    events: dict[str, datetime] = field(default_factory=dict)
    undos: dict[tuple[str, str], datetime] = field(default_factory=dict)  # (owner, command) -> when undone
    forgets: dict[tuple[str, str], datetime] = field(default_factory=dict)  # (owner, person key) -> when
    presses: dict[tuple[str, str], str] = field(
        default_factory=dict
    )  # (owner, view id) -> the newest press's action_ts
    failing: Exception | None = None  # raised by every call when set: storage out of reach
    calls: list[str] = field(default_factory=list)
    page_size: int = 1000  # of the retention sweep's pages

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if self.failing is not None:
            raise self.failing

    def add(self, owner: str, command_id: str, at: datetime, rated: Sequence[Rated], note: str | None = None) -> None:
        self._call("add")
        mine = self.rows.setdefault(owner, {})
        for index, item in enumerate(rated):
            mine[(command_id, index)] = Entry(item.person, item.rating, at.astimezone(UTC), note)

    def _about(self, owner: str, person: Person) -> list[tuple[str, Entry]]:
        """The owner's entries about one person, with the real store's keys, newest first."""
        key = person_key(person)
        about = [
            (row_key(entry.at, command_id, index), entry)
            for (command_id, index), entry in self.rows.get(owner, {}).items()
            if person_key(entry.person) == key
        ]
        return sorted(about, key=lambda item: item[0])

    def person_history(self, owner: str, person: Person) -> Iterator[tuple[datetime, int]]:
        self._call("person_history")
        return iter([(entry.at, entry.rating) for _, entry in self._about(owner, person)])

    def person_page(self, owner: str, person: Person, start: str | None, size: int) -> EntryPage:
        self._call("person_page")
        rows = [(key, entry) for key, entry in self._about(owner, person) if start is None or key >= start]
        return EntryPage(
            entries=[entry for _, entry in rows[:size]],
            first_key=rows[0][0] if rows else None,
            next_key=rows[size][0] if len(rows) > size else None,
        )

    def forget(self, owner: str, person: Person, at: datetime) -> int:
        self._call("forget")
        key = person_key(person)
        self.forgets[(owner, key)] = max(at, self.forgets.get((owner, key), at))
        mine = self.rows.get(owner, {})
        gone = [k for k, entry in mine.items() if person_key(entry.person) == key and entry.at <= at]
        for k in gone:
            del mine[k]
        return len(gone)

    def forgotten_since(self, owner: str, person: Person, at: datetime) -> bool:
        self._call("forgotten_since")
        when = self.forgets.get((owner, person_key(person)))
        return when is not None and when >= at

    def has_command(self, owner: str, command_id: str, at: datetime) -> bool:
        self._call("has_command")
        return (command_id, 0) in self.rows.get(owner, {})

    def entries(self, owner: str, since: datetime, rating: int | None = None) -> Iterator[Entry]:
        self._call("entries")
        kept = [e for e in self.rows.get(owner, {}).values() if e.at >= since and rating in (None, e.rating)]
        return iter(sorted(kept, key=lambda e: e.at, reverse=True))

    def ratings_since(self, owner: str, since: datetime, without: str | None = None) -> Iterator[int]:
        self._call("ratings_since")
        mine = self.rows.get(owner, {})
        kept = [entry for (command_id, _), entry in mine.items() if command_id != without and entry.at >= since]
        return (entry.rating for entry in kept)

    def page(self, owner: str, since: datetime, rating: int | None, start: str | None, size: int) -> EntryPage:
        self._call("page")
        rows = [(key, entry) for key, entry in self._keyed(owner, since, rating) if start is None or key >= start]
        return EntryPage(
            entries=[entry for _, entry in rows[:size]],
            first_key=rows[0][0] if rows else None,
            next_key=rows[size][0] if len(rows) > size else None,
        )

    def newer_start(self, owner: str, since: datetime, rating: int | None, before: str, size: int) -> str | None:
        self._call("newer_start")
        newest = deque((key for key, _ in self._keyed(owner, since, rating) if key < before), maxlen=size + 1)
        return newest[1] if len(newest) > size else None

    def _keyed(self, owner: str, since: datetime, rating: int | None) -> list[tuple[str, Entry]]:
        """The owner's entries in the span with the real store's keys, in its order: newest first."""
        bound = newer_than(since)
        keyed = [
            (row_key(entry.at, command_id, index), entry)
            for (command_id, index), entry in self.rows.get(owner, {}).items()
            if rating in (None, entry.rating)
        ]
        return sorted(((key, entry) for key, entry in keyed if key < bound), key=lambda item: item[0])

    def remember_undo(self, owner: str, command_id: str, at: datetime) -> bool:
        self._call("remember_undo")
        if (owner, command_id) in self.undos:
            return True
        self.undos[(owner, command_id)] = at.astimezone(UTC)
        return False

    def newest_press(self, owner: str, view_id: str, pressed_at: str, at: datetime) -> bool:
        self._call("newest_press")
        if float(self.presses.get((owner, view_id), "0")) > float(pressed_at):
            return False
        self.presses[(owner, view_id)] = pressed_at
        return True

    def event_seen(self, event_id: str) -> bool:
        self._call("event_seen")
        return event_id in self.events

    def remember_event(self, event_id: str, at: datetime) -> bool:
        self._call("remember_event")
        already = event_id in self.events
        self.events.setdefault(event_id, at)
        return already

    def undone(self, owner: str, command_id: str) -> bool:
        self._call("undone")
        return (owner, command_id) in self.undos

    def command_entries(self, owner: str, command_id: str, at: datetime, count: int) -> list[Entry]:
        self._call("command_entries")
        mine = self.rows.get(owner, {})
        return [mine[(command_id, index)] for index in range(count) if (command_id, index) in mine]

    def clear(self, owner: str, at: datetime) -> int:
        self._call("clear")
        self.clears[owner] = max(at, self.clears.get(owner, at))
        # As the real store does: every clear forgets the others' older than a day.
        for forgotten in [cleared for cleared, when in self.clears.items() if when < at - CLEAR_MEMORY]:
            del self.clears[forgotten]
        mine = self.rows.get(owner, {})
        gone = [key for key, entry in mine.items() if entry.at <= at]
        for key in gone:
            del mine[key]
        return len(gone)

    def cleared_since(self, owner: str, at: datetime) -> bool:
        self._call("cleared_since")
        return owner in self.clears and self.clears[owner] >= at

    def expired_pages(self, before: datetime) -> Generator[int, None, None]:
        self._call("expired_pages")
        old = [(owner, key) for owner, mine in self.rows.items() for key, entry in mine.items() if entry.at < before]
        return self._pages(old, lambda row: self.rows[row[0]].pop(row[1], None))

    def expired_person_pages(self, before: datetime) -> Generator[int, None, None]:
        self._call("expired_person_pages")
        return self._pages([], lambda _row: None)  # person rows are read from the entries here: none is left

    def expired_marker_pages(self, before: datetime) -> Generator[int, None, None]:
        self._call("expired_marker_pages")
        markers: list[tuple[dict[Any, datetime], Any]] = [
            (self.clears, owner) for owner, at in self.clears.items() if at < before
        ]
        markers += [(self.undos, key) for key, at in self.undos.items() if at < before]
        markers += [(self.forgets, key) for key, at in self.forgets.items() if at < before]
        markers += [(self.events, key) for key, at in self.events.items() if at < before]
        return self._pages(markers, lambda marker: marker[0].pop(marker[1], None))

    def _pages(self, rows: list[Any], delete: Callable[[Any], object]) -> Generator[int, None, None]:
        """Like the real store's pages: each deleted only when asked for, so a sweep may stop between."""
        for first in range(0, len(rows), self.page_size):
            page = rows[first : first + self.page_size]
            for row in page:
                delete(row)
            yield len(page)

    def remove(self, owner: str, command_id: str, at: datetime, count: int) -> None:
        self._call("remove")
        for index in range(count):
            self.rows.get(owner, {}).pop((command_id, index), None)

    def all_entries(self, owner: str) -> Iterator[Entry]:
        self._call("all_entries")
        return iter(self.stored(owner))

    def stored(self, owner: str) -> list[Entry]:
        return sorted(self.rows.get(owner, {}).values(), key=lambda e: e.at, reverse=True)


@dataclass
class Said:
    """One answer: an ephemeral message through a response_url, or a modal's content."""

    where: str  # the response_url, "modal:<view id>" or "home:<user id>"
    text: str  # everything readable in it
    blocks: Sequence[Block] | None = None


@dataclass(frozen=True)
class Sent:
    """A file sent into a member's direct conversation with the app."""

    user_id: str
    filename: str
    title: str
    content: bytes


def readable(blocks: Sequence[Block] | None) -> str:
    """What a member reads in ``blocks``, a line per text or rich text section: mentions as ``<@U123>``, dates
    by their fallback, typed names as typed; button labels and menus' choices too, as they are on screen."""
    lines: list[str] = []

    def piece(element: dict[str, Any]) -> str:
        if element.get("type") == "user":
            return f"<@{element['user_id']}>"
        if element.get("type") == "date":
            return str(element.get("fallback", ""))
        return str(element.get("text", ""))

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("type") == "rich_text_section":
                lines.append("".join(piece(e) for e in value.get("elements", [])))
                return
            if isinstance(value.get("text"), str):
                lines.append(value["text"])
            for key, item in value.items():
                if key not in ("options", "confirm"):  # a menu's other choices, a dialog: shown once pressed
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk([block.to_dict() for block in blocks or []])
    return "\n".join(lines)


@dataclass
class FakeSlack:
    """Slack as both use cases see it; ``said`` is what the member read, in order."""

    said: list[Said] = field(default_factory=list)
    modals_fail: bool = False  # the member closed the modal, or Slack refused the update
    view_hashes: dict[str, str] = field(default_factory=dict)  # view id or "home:<user>" -> its current hash
    replaced: list[str] = field(default_factory=list)  # response_urls answered in place of the message pressed
    open_fails: bool = False
    opened: list[Said] = field(default_factory=list)  # the modals opened, "trigger:<trigger id>"
    can_send_files: bool = True  # a bot token is set
    files_fail: bool = False
    files: list[Sent] = field(default_factory=list)
    views: dict[str, ModalView] = field(default_factory=dict)  # each modal's last view, by its id

    def respond(
        self, response_url: str, text: str, blocks: Sequence[Block] | None = None, replace_original: bool = False
    ) -> bool:
        self.said.append(Said(response_url, readable(blocks) if blocks else text, blocks))
        if replace_original:
            self.replaced.append(response_url)
        return True

    def respond_at_once(self, response_url: str, text: str) -> bool:
        self.said.append(Said(response_url, text))
        return True

    def show_modal(self, view_id: str, view: ModalView, view_hash: str | None = None) -> bool:
        if self.modals_fail or not self._fresh(view_id, view_hash):
            return False
        self.said.append(Said(f"modal:{view_id}", readable(view.blocks), view.blocks))
        self.views[view_id] = view
        return True

    def publish_home(self, user_id: str, view: ModalView, view_hash: str | None = None) -> bool:
        if not self._fresh(f"home:{user_id}", view_hash):
            return False
        self.said.append(Said(f"home:{user_id}", readable(view.blocks), view.blocks))
        return True

    def _fresh(self, view_key: str, view_hash: str | None) -> bool:
        """As Slack checks a view's hash: an update from an older view is refused; a good one changes it."""
        if view_hash is not None and self.view_hashes.get(view_key, view_hash) != view_hash:
            return False
        self.view_hashes[view_key] = f"h{len(self.said)}"
        return True

    def open_modal(self, trigger_id: str, view: ModalView) -> str | None:
        if self.open_fails:
            return None
        self.opened.append(Said(f"trigger:{trigger_id}", readable(view.blocks), view.blocks))
        self.views[f"V{len(self.opened)}"] = view
        return f"V{len(self.opened)}"

    def push_modal(self, trigger_id: str, view: ModalView) -> str | None:
        if self.open_fails:
            return None
        self.opened.append(Said(f"push:{trigger_id}", readable(view.blocks), view.blocks))
        self.views[f"V{len(self.opened)}"] = view
        return f"V{len(self.opened)}"

    def replace_modal_at_once(self, view_id: str, view: ModalView, view_hash: str | None = None) -> bool:
        if self.modals_fail or not self._fresh(view_id, view_hash):
            return False
        self.said.append(Said(f"modal:{view_id}", readable(view.blocks), view.blocks))
        self.views[view_id] = view
        return True

    def send_file(self, user_id: str, file: io.IOBase, filename: str, title: str) -> bool:
        if self.files_fail:
            return False
        self.files.append(Sent(user_id, filename, title, file.read()))
        return True

    @property
    def last(self) -> Said:
        assert self.said, "nothing was said"
        return self.said[-1]


@dataclass
class FakeQueue:
    """The queue: keeps what was sent, or raises ``failing`` as an unreachable queue does."""

    sent: list[str] = field(default_factory=list)
    failing: Exception | None = None

    def __call__(self, message: str) -> None:
        if self.failing is not None:
            raise self.failing
        self.sent.append(message)
