"""Slack mrkdwn: how user text and people are written so that Slack shows them as meant."""

from __future__ import annotations

from interactions.model import Person


def escape(text: str) -> str:
    """User text shown literally in mrkdwn: Slack reads only & < > as markup to escape."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoted(user_text: str) -> str:
    """User text inside a message, as code: a backtick in it would end the code span, so it becomes '."""
    plain = escape(user_text.replace("`", "'"))
    return f"`{plain}`"


def who(person: Person) -> str:
    """A mention, which Slack shows as the member's current name, or the typed name as typed."""
    return f"<@{person.name}>" if person.mention else escape(person.name)
