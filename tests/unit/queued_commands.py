"""Queued slash commands for the worker's use-case tests, and what the member reads once one is carried out."""

from __future__ import annotations

from datetime import UTC, datetime

from interactions.process import process
from interactions.queue_message import QueuedCommand
from tests.fakes import FakeSlack, FakeStore

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
OWNER = "a" * 64
URL = "https://hooks.slack.com/commands/T0/1/x"


def message(text: str, *, at: datetime = NOW, command_id: str = "c1", view_id: str | None = None) -> str:
    return QueuedCommand(command_id, "U0ME", OWNER, text, URL, at, view_id).to_json()


def run(
    text: str,
    store: FakeStore,
    slack: FakeSlack,
    *,
    at: datetime = NOW,
    command_id: str = "c1",
    view_id: str | None = None,
) -> str:
    """Carry out one command; what the member read."""
    before = len(slack.said)
    process(message(text, at=at, command_id=command_id, view_id=view_id), store, slack, now=lambda: NOW)
    assert len(slack.said) == before + 1, slack.said
    return slack.last.text
