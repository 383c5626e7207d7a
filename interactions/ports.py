"""What the use cases need from the world, and the errors it raises: the store of entries, Slack, and the
queue. The real ones are ``interactions.store.EntryStore``, ``interactions.slack.client.Slack`` and
``interactions.storage_queue.send``; the unit tests use in-memory fakes. Adapters depend on this module alone,
never on the use cases.

Light on purpose: the ack path imports it, so Block Kit's types are named for the type checker only.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from interactions.model import Entry, Person, Rated

if TYPE_CHECKING:
    from slack_sdk.models.blocks import Block
    from slack_sdk.models.views import View as SlackView


# --- The queue ---------------------------------------------------------------------------------------------

Enqueue = Callable[[str], None]
"""Put one message on the queue. Raises ``OutcomeUnknown`` when it may be queued all the same, and any other
error when it was not."""


class OutcomeUnknown(Exception):
    """The message went out but no answer came back: it may be on the queue, or not."""


# --- The store of entries ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryPage:
    """Entries read from one point on, newest first, with the keys that page from them."""

    entries: list[Entry]
    first_key: str | None  # the key of the first entry read; None when there is none
    next_key: str | None  # the key of the entry after the last one read; None when there is no more


class PagedStore(Protocol):
    """What the dashboard reads."""

    def page(self, owner: str, since: datetime, rating: int | None, start: str | None, size: int) -> EntryPage:
        """Up to ``size`` entries at or after ``since``, newest first, from the entry keyed ``start`` on."""
        ...

    def newer_start(self, owner: str, since: datetime, rating: int | None, before: str, size: int) -> str | None:
        """The key of the first entry of the page of ``size`` entries just newer than ``before``; None when no
        more than ``size`` are newer, so that page is the newest."""
        ...

    def entries(self, owner: str, since: datetime, rating: int | None = None) -> Iterator[Entry]: ...

    def ratings_since(self, owner: str, since: datetime, without: str | None = None) -> Iterator[int]:
        """The ratings of the owner's entries at or after ``since``; ``without`` a command id, not that
        command's own."""
        ...


class Store(PagedStore, Protocol):
    """The entries of every member."""

    def add(self, owner: str, command_id: str, at: datetime, rated: Sequence[Rated], note: str | None = None) -> None:
        """Write one log's entries at ``at``, each with the log's private ``note``, atomically; writing the same
        log again changes nothing."""
        ...

    def person_history(self, owner: str, person: Person) -> Iterator[tuple[datetime, int]]:
        """When and how (rating) the owner met one person (``model.person_key``), every entry, newest first:
        read from rows kept for that person, never by scanning the owner's entries."""
        ...

    def person_page(self, owner: str, person: Person, start: str | None, size: int) -> EntryPage:
        """Up to ``size`` of the owner's entries about one person, with their notes, newest first, from the
        entry keyed ``start`` on."""
        ...

    def forget(self, owner: str, person: Person, at: datetime) -> int:
        """Delete every entry the owner logged about one person up to ``at``, and nothing else; returns how
        many. Remembered first, as a clear is, so that a log of that person typed before it cannot outlive it."""
        ...

    def forgotten_since(self, owner: str, person: Person, at: datetime) -> bool:
        """Whether the owner forgot the person at or after ``at`` (within the markers' memory)."""
        ...

    def has_command(self, owner: str, command_id: str, at: datetime) -> bool: ...

    def clear(self, owner: str, at: datetime) -> int: ...

    def cleared_since(self, owner: str, at: datetime) -> bool: ...

    def remove(self, owner: str, command_id: str, at: datetime, count: int) -> None: ...

    def all_entries(self, owner: str) -> Iterator[Entry]: ...

    def remember_undo(self, owner: str, command_id: str, at: datetime) -> bool:
        """Remember that the member undid a log (for as long as a clear is remembered); True when it was
        remembered already."""
        ...

    def undone(self, owner: str, command_id: str) -> bool: ...

    def remember_event(self, event_id: str, at: datetime) -> bool:
        """Remember that an event from Slack was carried out (as long as a clear is remembered); True when
        it was already."""
        ...

    def event_seen(self, event_id: str) -> bool: ...

    def newest_press(self, owner: str, view_id: str, pressed_at: str, at: datetime) -> bool:
        """Remember a press of an owner's view as the newest carried out, unless a newer one is; True when
        it is."""
        ...

    def command_entries(self, owner: str, command_id: str, at: datetime, count: int) -> list[Entry]: ...


class Expiring(Protocol):
    """What the retention sweep deletes: each a page at a time, so that a sweep may stop between pages."""

    def expired_pages(self, before: datetime) -> Generator[int, None, None]: ...

    def expired_person_pages(self, before: datetime) -> Generator[int, None, None]:
        """The rows kept for the people of the entries ``expired_pages`` deletes."""
        ...

    def expired_marker_pages(self, before: datetime) -> Generator[int, None, None]: ...


# --- Slack -------------------------------------------------------------------------------------------------


class Modals(Protocol):
    """Slack on the ack path, inside its 3 seconds: a view's modal, opened and replaced once, without retries."""

    def open_modal(self, trigger_id: str, view: SlackView) -> str | None:
        """Open ``view`` while the trigger_id is alive; its view id, or None if Slack said no."""
        ...

    def replace_modal_at_once(self, view_id: str, view: SlackView, view_hash: str | None = None) -> bool:
        """Replace a modal's content, once; given ``view_hash``, only if it is still the view of that hash."""
        ...

    def push_modal(self, trigger_id: str, view: SlackView) -> str | None:
        """Push ``view`` on top of the modal pressed in, while the trigger_id is alive; its view id, or None."""
        ...


class Messages(Protocol):
    """Slack on the ack path: one answer through a response_url, without retries."""

    def respond_at_once(self, response_url: str, text: str) -> bool: ...


class Answers(Protocol):
    """Slack, as the worker answers through it."""

    def respond(
        self, response_url: str, text: str, blocks: Sequence[Block] | None = None, replace_original: bool = False
    ) -> bool: ...

    def show_modal(self, view_id: str, view: SlackView, view_hash: str | None = None) -> bool: ...

    def publish_home(self, user_id: str, view: SlackView, view_hash: str | None = None) -> bool: ...

    @property
    def can_send_files(self) -> bool: ...

    def send_file(self, user_id: str, file: io.IOBase, filename: str, title: str) -> bool: ...
