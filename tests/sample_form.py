"""A log form as the tests of the Slack stand-in, `make press` and `make shortcut` play it: a people picker that
dispatches its changes, a + / − choice per person picked, a text input for people who are not members, a date
and a note; submitted with Log, closed with Cancel."""

from __future__ import annotations

from typing import Any

PLUS_MINUS = [{"text": {"type": "plain_text", "text": sign}, "value": sign} for sign in ("+", "−")]


def plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def log_form(picked: list[str], day: str, title: str = "Log an interaction") -> dict[str, Any]:
    """The form with ``picked`` already picked, one rating each, and ``day`` as the meeting's date."""
    people = {"type": "multi_users_select", "action_id": "people", "max_selected_items": 25}
    ratings = [
        {
            "type": "input",
            "block_id": f"rating_{user}",
            "label": plain(f"How was it with {user}?"),
            "element": {"type": "radio_buttons", "action_id": "rating", "options": PLUS_MINUS},
        }
        for user in picked
    ]
    return {
        "type": "modal",
        "callback_id": "log_form",
        "title": plain(title),
        "submit": plain("Log"),
        "close": plain("Cancel"),
        "blocks": [
            {
                "type": "input",
                "block_id": "people",
                "dispatch_action": True,
                "label": plain("Who did you meet?"),
                "element": {**people, "initial_users": picked} if picked else people,
            },
            *ratings,
            {
                "type": "input",
                "block_id": "names",
                "optional": True,
                "label": plain("People who are not members"),
                "element": {"type": "plain_text_input", "action_id": "names"},
            },
            {
                "type": "input",
                "block_id": "date",
                "label": plain("When"),
                "element": {"type": "datepicker", "action_id": "date", "initial_date": day},
            },
            {
                "type": "input",
                "block_id": "note",
                "optional": True,
                "label": plain("A private note"),
                "element": {"type": "plain_text_input", "action_id": "note", "multiline": True, "max_length": 500},
            },
        ],
    }


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def said(text: str, title: str = "Log an interaction") -> dict[str, Any]:
    """A view that only says ``text``."""
    return {"type": "modal", "title": plain(title), "close": plain("Close"), "blocks": [section(text)]}
