"""In-memory stand-ins for what the use cases talk to: the entry store, Slack and the queue. They keep the
rules the real ones keep (a command's entries stored once, a clear deleting what was logged up to it and
remembered) so that the use cases can be tested in milliseconds; the real ones are tested against Azurite
and the Slack stand-in."""

from __future__ import annotations

import io
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View as ModalView

from interactions.model import Entry, Rated


@dataclass
class FakeStore:
    rows: dict[str, dict[tuple[str, int], Entry]] = field(default_factory=dict)  # owner -> (command, index)
    clears: dict[str, datetime] = field(default_factory=dict)
    failing: Exception | None = None  # raised by every call when set: storage out of reach
    calls: list[str] = field(default_factory=list)
    page_size: int = 1000  # of the retention sweep's pages

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if self.failing is not None:
            raise self.failing

    def add(self, owner: str, command_id: str, at: datetime, rated: Sequence[Rated]) -> None:
        self._call("add")
        mine = self.rows.setdefault(owner, {})
        for index, item in enumerate(rated):
            mine[(command_id, index)] = Entry(item.person, item.rating, at.astimezone(UTC))

    def has_command(self, owner: str, command_id: str, at: datetime) -> bool:
        self._call("has_command")
        return (command_id, 0) in self.rows.get(owner, {})

    def entries(self, owner: str, since: datetime, rating: int | None = None) -> Iterator[Entry]:
        self._call("entries")
        kept = [e for e in self.rows.get(owner, {}).values() if e.at >= since and rating in (None, e.rating)]
        return iter(sorted(kept, key=lambda e: e.at, reverse=True))

    def ratings_since(self, owner: str, since: datetime) -> Iterator[int]:
        return (entry.rating for entry in self.entries(owner, since))

    def clear(self, owner: str, at: datetime) -> int:
        self._call("clear")
        self.clears[owner] = max(at, self.clears.get(owner, at))
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

    def forgotten_clear_pages(self, before: datetime) -> Generator[int, None, None]:
        self._call("forgotten_clear_pages")
        return self._pages([owner for owner, at in self.clears.items() if at < before], self.clears.pop)

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

    where: str  # the response_url, or "modal:<view id>"
    text: str  # everything readable in it


@dataclass(frozen=True)
class Sent:
    """A file sent into a member's direct conversation with the app."""

    user_id: str
    filename: str
    title: str
    content: bytes


def readable(blocks: Sequence[Block] | None) -> str:
    lines: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("text"), str):
                lines.append(value["text"])
            for item in value.values():
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
    open_fails: bool = False
    opened: list[str] = field(default_factory=list)  # trigger ids of the loading modals opened
    can_send_files: bool = True  # a bot token is set
    files_fail: bool = False
    files: list[Sent] = field(default_factory=list)

    def respond(self, response_url: str, text: str, blocks: Sequence[Block] | None = None) -> bool:
        self.said.append(Said(response_url, readable(blocks) if blocks else text))
        return True

    def show_modal(self, view_id: str, view: ModalView) -> bool:
        if self.modals_fail:
            return False
        self.said.append(Said(f"modal:{view_id}", readable(view.blocks)))
        return True

    def open_loading_modal(self, trigger_id: str) -> str | None:
        if self.open_fails:
            return None
        self.opened.append(trigger_id)
        return f"V{len(self.opened)}"

    def show_text_in_modal(self, view_id: str, text: str) -> bool:
        if self.modals_fail:
            return False
        self.said.append(Said(f"modal:{view_id}", text))
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
