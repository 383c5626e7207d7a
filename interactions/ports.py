"""What the worker's use cases need from the world: the store of entries and Slack. The real ones are
``interactions.store.EntryStore`` and ``interactions.slack.client.Slack``; the unit tests use in-memory fakes."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Protocol

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View as SlackView

from interactions.dashboard import PagedStore
from interactions.model import Entry, Rated


class Store(PagedStore, Protocol):
    """The entries of every member."""

    def add(self, owner: str, command_id: str, at: datetime, rated: Sequence[Rated]) -> None: ...

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

    def newest_press(self, view_id: str, pressed_at: str, at: datetime) -> bool:
        """Remember a press of a view as the newest carried out, unless a newer one is; True when it is."""
        ...

    def command_entries(self, owner: str, command_id: str, at: datetime, count: int) -> list[Entry]: ...


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
