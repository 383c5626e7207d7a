"""Controls as the app sends them, for the tests of what reads them: the Slack stand-in, `make try` and
`make press`."""

from __future__ import annotations

from typing import Any

UNDO: dict[str, Any] = {
    "type": "button",
    "text": {"type": "plain_text", "text": "Undo"},
    "action_id": "undo",
    "value": "u1",
}
CLEAR: dict[str, Any] = {
    **UNDO,
    "text": {"type": "plain_text", "text": "Clear all my logs"},
    "action_id": "clear",
    "confirm": {
        "title": {"type": "plain_text", "text": "Clear all your logs?"},
        "text": {"type": "plain_text", "text": "It can't be undone."},
        "confirm": {"type": "plain_text", "text": "Clear all"},
        "deny": {"type": "plain_text", "text": "Cancel"},
    },
}
DAYS = [{"text": {"type": "plain_text", "text": f"{d} days"}, "value": str(d)} for d in (7, 30)]
SPAN: dict[str, Any] = {
    "type": "static_select",
    "action_id": "span",
    "placeholder": {"type": "plain_text", "text": "Span"},
    "options": DAYS,
    "initial_option": DAYS[1],
}
