"""What Slack shows, as a person reads it: mrkdwn without its formatting marks, mentions and dates as Slack
shows them (in UTC), rich text, messages, modals and the Home tab, and the buttons and menus in them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from local.block_kit import STATEFUL, Control, controls, menu_options, readable_text, rich_text_lines
from testkit.slack_requests import Surface

_MARKUP = re.compile(r"<([^<>]*)>")
_CODE = re.compile(r"```(.+?)```|`([^`\n]+)`", re.DOTALL)
# Bold, italic, strike: a mark opens after a non-word character and closes before one, within one line.
_EMPHASIS = [re.compile(rf"(?<![\w{m}]){m}(?=\S)([^{m}\n]+?)(?<=\S){m}(?![\w{m}])") for m in (r"\*", "_", "~")]
_HELD = re.compile("\ue000(\\d+)\ue001")
_DATE_TOKEN = re.compile(r"\{(\w+)\}")


@dataclass
class Shown:
    """One thing a user saw: an ephemeral message, a modal (opened, then updated in place), or their Home
    tab (published, then published again in place)."""

    kind: Surface
    payload: dict[str, Any]
    view_id: str | None = None
    index: int = -1  # its place in what the user was shown (a Home tab has none)
    hash: str | None = None  # a modal's or Home tab's, new on each change
    deleted: bool = False  # a message its app removed (delete_original), or a modal closed; it keeps its place
    state: dict[str, Any] = field(default_factory=dict)  # a view's values as the member chose them, as Slack sends
    errors: dict[str, str] = field(default_factory=dict)  # by block id: what the app said is wrong in the input
    root_view_id: str | None = None  # a modal's: the first view of its stack
    previous_view_id: str | None = None  # a pushed view's: the one under it

    def text(self) -> str:
        """Everything the user can read in it, as one string (Slack markup left as is; in rich text, a
        mention as ``<@U123>`` and a date by its fallback). Labels of buttons and menus are not in it."""
        parts = [str(self.payload.get("text", ""))] if self.kind == "message" else []
        return "\n".join([*parts, *readable_text(self.payload.get("blocks") or [])])

    def read(self) -> str:
        """What a person reads in it, as `make try` prints it: mrkdwn without its marks, rich text exactly as
        typed, a mention as ``@U123``, a date as Slack shows it in UTC."""
        blocks = self.payload.get("blocks")
        return "\n".join(block_lines(blocks)) if blocks else as_read(str(self.payload.get("text", "")))

    def controls(self) -> list[Control]:
        """Each button and each menu option in it, in the order Slack shows them."""
        return [] if self.deleted else controls(self.payload.get("blocks") or [], self.state)

    def as_view(self) -> dict[str, Any]:
        """A modal or Home tab as Slack puts it in an action's payload: what the app sent, its id and hash, the
        member's values, and a modal's place in its stack."""
        view = {**self.payload, "id": self.view_id, "hash": self.hash, "state": {"values": self.state}}
        return (
            view
            if self.kind != "modal"
            else {**view, "root_view_id": self.root_view_id or self.view_id, "previous_view_id": self.previous_view_id}
        )


def plain(mrkdwn: str) -> str:
    """Slack markup resolved: mentions, channels and links by what they show, dates by their fallback text, and
    entities unescaped; formatting marks are kept, so that a check finds the text as it was sent."""
    return _unescaped(_MARKUP.sub(lambda match: _markup(match.group(1)), mrkdwn))


def as_read(mrkdwn: str, now: datetime | None = None) -> str:
    """Slack mrkdwn as a person reads it: ``plain``, but formatting shown without its marks and dates as Slack
    shows them to a reader whose time zone is UTC; ``now`` decides which day is "today"."""
    now = now or datetime.now(UTC)
    shown: list[str] = []
    last = 0
    for code in _CODE.finditer(mrkdwn):  # code is shown as typed: no markup, no formatting inside
        shown += [_formatted(mrkdwn[last : code.start()], now), _unescaped(code.group(1) or code.group(2))]
        last = code.end()
    return "".join([*shown, _formatted(mrkdwn[last:], now)])


def _formatted(text: str, now: datetime) -> str:
    # Markup is set aside first, so that an underscore in a link or a star in a label is not read as formatting.
    held: list[str] = []

    def hold(match: re.Match[str]) -> str:
        held.append(_unescaped(_markup(match.group(1), now)))
        return f"\ue000{len(held) - 1}\ue001"

    text = _MARKUP.sub(hold, text)
    for emphasis in _EMPHASIS:
        text = emphasis.sub(r"\1", text)

    def restore(match: re.Match[str]) -> str:
        index = int(match.group(1))
        return held[index] if index < len(held) else match.group(0)  # a look-alike in the text itself

    return _HELD.sub(restore, _unescaped(text))


def _unescaped(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _markup(inner: str, now: datetime | None = None) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return target  # Slack shows the person's current name; the id stands in for it here
    if target.startswith("#"):
        return f"#{label}" if label else target
    if target.startswith("!date^"):
        return (_date(target, now) if now else None) or label or target
    if target.startswith("!"):
        return label or f"@{target[1:]}"  # !here, !channel, !everyone
    return f"{label} ({target})" if label else target


def _date(target: str, now: datetime) -> str | None:
    """``!date^<timestamp>^<format>[^<link>]`` as Slack shows it; None where Slack would show the fallback."""
    fields = target.split("^")
    try:
        at = datetime.fromtimestamp(int(fields[1]), UTC)
        template = fields[2]
    except (IndexError, ValueError, OverflowError, OSError):
        return None
    tokens = _DATE_TOKEN.findall(template)
    if not tokens or any(token not in _DATES for token in tokens):
        return None
    return _DATE_TOKEN.sub(lambda match: _DATES[match.group(1)](at, now, match.start() == 0), template)


def _day(at: datetime) -> str:
    suffix = "th" if 10 <= at.day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(at.day % 10, "th")
    return f"{at:%B} {at.day}{suffix}, {at.year}"


def _time(at: datetime, seconds: bool = False) -> str:
    return f"{at.hour % 12 or 12}:{at:%M}{at.strftime(':%S') if seconds else ''} {'PM' if at.hour >= 12 else 'AM'}"


def _pretty(shown: Callable[[datetime], str]) -> Callable[[datetime, datetime, bool], str]:
    """Today, yesterday or tomorrow where one applies (capitalised at the start of the text), else ``shown``."""

    def pretty(at: datetime, now: datetime, first: bool) -> str:
        word = {0: "today", -1: "yesterday", 1: "tomorrow"}.get((at.date() - now.date()).days)
        if word is None:
            return shown(at)
        return word.capitalize() if first else word

    return pretty


def _ago(at: datetime, now: datetime, _first: bool) -> str:
    seconds = int((now - at).total_seconds())
    for unit, size in (("year", 365 * 86400), ("month", 30 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60)):
        if abs(seconds) >= size:
            count = abs(seconds) // size
            amount = f"{count} {unit}{'s' if count > 1 else ''}"
            return f"{amount} ago" if seconds > 0 else f"in {amount}"
    return "just now"


def _date_short(at: datetime) -> str:
    return f"{at:%b} {at.day}, {at.year}"


def _date_long(at: datetime) -> str:
    return f"{at:%A}, {_day(at)}"


# Slack's date tokens (https://api.slack.com/reference/surfaces/formatting#date-formatting), each given the
# time, now, and whether it opens the text; {time} in 12-hour form, Slack's default.
_DATES: dict[str, Callable[[datetime, datetime, bool], str]] = {
    "date_num": lambda at, _now, _first: f"{at:%Y-%m-%d}",
    "date_slash": lambda at, _now, _first: f"{at:%d/%m/%Y}",
    "date": lambda at, _now, _first: _day(at),
    "date_short": lambda at, _now, _first: _date_short(at),
    "date_long": lambda at, _now, _first: _date_long(at),
    "date_long_full": lambda at, _now, _first: f"{at:%B} {at.day}, {at.year}",
    "date_pretty": _pretty(_day),
    "date_short_pretty": _pretty(_date_short),
    "date_long_pretty": _pretty(_date_long),
    "time": lambda at, _now, _first: _time(at),
    "time_secs": lambda at, _now, _first: _time(at, seconds=True),
    "ago": _ago,
}


def _text(obj: Any, now: datetime | None = None) -> str:
    if not isinstance(obj, dict):
        return ""
    text = str(obj.get("text", ""))
    return text if obj.get("type") == "plain_text" else as_read(text, now)  # Slack formats mrkdwn only


def _inline(now: datetime) -> Callable[[dict[str, Any]], str]:
    """One part of rich text as a person reads it: text exactly as typed (rich text has no markup), a
    mention by the id Slack would show the name of, a date as Slack shows it in UTC."""

    def read(element: dict[str, Any]) -> str:
        kind = element.get("type")
        if kind == "user":
            return f"@{element.get('user_id', '')}"
        if kind == "date":
            target = f"!date^{element.get('timestamp')}^{element.get('format', '')}"
            return _date(target, now) or str(element.get("fallback", ""))
        if kind == "link":
            url, label = str(element.get("url", "")), element.get("text")
            return f"{label} ({url})" if label else url
        if kind == "channel":
            return f"#{element.get('channel_id', '')}"
        if kind == "broadcast":
            return f"@{element.get('range', '')}"
        if kind == "usergroup":
            return f"@{element.get('usergroup_id', '')}"
        if kind == "emoji":
            return f":{element.get('name', '')}:"
        return str(element.get("text", element.get("value", "")))

    return read


def _element(element: dict[str, Any], now: datetime, chosen_state: dict[str, Any] | None = None) -> str:
    """A button, menu or input as it shows, with what the member chose (``chosen_state``, its entry in the
    view's state) or else what the app set first: ``[Undo]``, ``[Span: 30 days ▾]``, ``(•) +  ( ) −``,
    ``[People: @U0DON, @U0MAELLE ▾]``, ``[📅 2026-12-01]``, ``[✎ met for coffee]``."""
    kind = element.get("type")
    if kind == "button":
        return f"[{_text(element.get('text'), now)}]"
    name, first = STATEFUL.get(str(kind), ("", ""))
    value = chosen_state.get(name) if chosen_state is not None else element.get(first)
    placeholder = _text(element.get("placeholder"), now)
    if kind == "radio_buttons":
        chosen = value.get("value") if isinstance(value, dict) else None
        options = menu_options(element)
        return "  ".join(f"({'•' if o.get('value') == chosen else ' '}) {_text(o.get('text'), now)}" for o in options)
    if kind in ("multi_users_select", "users_select"):
        users = value if isinstance(value, list) else [value] if value else []
        picked = ", ".join(f"@{user}" for user in users)
        return f"[{placeholder}: {picked} ▾]" if picked and placeholder else f"[{picked or placeholder or kind} ▾]"
    if kind == "datepicker":
        return f"[📅 {value or placeholder or 'pick a date'}]"
    if kind == "plain_text_input":
        return f"[✎ {value}]" if value else f"[✎ ({placeholder or 'empty'})]"
    chosen = value if chosen_state is not None else element.get("initial_option")
    label = _text(chosen.get("text"), now) if isinstance(chosen, dict) else _text(element.get("placeholder"), now)
    placeholder = _text(element.get("placeholder"), now)
    shown = f"{placeholder}: {label}" if isinstance(chosen, dict) and placeholder else label
    return f"[{shown or element.get('type', 'menu')} ▾]"


def block_lines(
    blocks: Iterable[dict[str, Any]],
    now: datetime | None = None,
    state: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> list[str]:
    """Blocks as a person reads them; in a view, each input with the member's values (``state``, Slack's
    ``state.values``) and the error the app named against it (``errors``, by block id)."""
    now = now or datetime.now(UTC)
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        chosen = (state or {}).get(str(block.get("block_id"))) if state is not None else None

        def shown(element: dict[str, Any], chosen: dict[str, Any] | None = chosen) -> str:
            entry = (chosen or {}).get(str(element.get("action_id")))
            return _element(element, now, entry if isinstance(entry, dict) else None)

        if kind == "section":
            lines.extend(_text(block.get("text"), now).splitlines())
            lines.extend(_text(f, now) for f in block.get("fields", []))
            if isinstance(block.get("accessory"), dict) and "action_id" in block["accessory"]:
                lines.append(shown(block["accessory"]))
        elif kind == "input":
            optional = " (optional)" if block.get("optional") else ""
            lines.append(f"{_text(block.get('label'), now)}{optional}")
            if isinstance(block.get("element"), dict):
                lines.append(f"  {shown(block['element'])}")
            if block.get("hint"):
                lines.append(f"  {_text(block.get('hint'), now)}")
        elif kind == "header":
            title = _text(block.get("text"), now)
            lines.extend([title, "=" * len(title)])
        elif kind == "rich_text":
            lines.extend(rich_text_lines(block, _inline(now)))
        elif kind == "context":
            elements = block.get("elements", [])
            lines.append(
                "  ".join(_text(e, now) if "text" in e else f"[{e.get('alt_text', 'image')}]" for e in elements)
            )
        elif kind == "divider":
            lines.append("-" * 40)
        elif kind == "actions":
            lines.append("  ".join(shown(e) for e in block.get("elements", [])))
        elif kind == "image":
            lines.append(f"[image: {block.get('alt_text', '')}]")
        else:
            lines.append(f"[{kind} block]")
        error = (errors or {}).get(str(block.get("block_id")))
        if error:
            lines.append(f"  ⚠ {error}")
    return lines


def render(shown: dict[str, Any], now: datetime | None = None) -> str:
    """One thing the user saw (as the stand-in keeps it), as readable text."""
    payload = shown.get("payload", {})
    kind = shown.get("kind")
    if kind in ("modal", "home"):
        title = "Home tab" if kind == "home" else f"Modal: {_text(payload.get('title'), now) or 'Modal'}"
        if shown.get("deleted"):
            return f"┌─ {title} (closed)\n└─"
        state, errors = shown.get("state"), shown.get("errors")
        blocks = payload.get("blocks", [])
        body = ["(still loading)"] if payload.get("loading") else block_lines(blocks, now, state, errors)
        buttons = [f"[{_text(payload.get(name), now)}]" for name in ("close", "submit") if payload.get(name)]
        return "\n".join([f"┌─ {title}", *(f"│ {line}" for line in body), f"└─ {'  '.join(buttons)}".rstrip()])
    if shown.get("deleted"):
        return "Only visible to you: (the app removed this message)"
    blocks = payload.get("blocks")
    body = block_lines(blocks, now) if blocks else as_read(str(payload.get("text", "")), now).splitlines()
    return "\n".join(["Only visible to you:", *(f"  {line}" for line in body)])


def control_label(control: Control) -> str:
    """A control as the numbered list shows it: its label, whether it is the menu's current choice, what an
    input is filled in with, and whether Slack asks to confirm before the press goes through."""
    label = control.label + (" (current)" if control.current else "") + _FILLED_WITH.get(control.type, "")
    return label + (" (asks to confirm)" if control.confirm else "")


# What a member fills each kind of input in with, as `make press N VALUE...` takes it.
_FILLED_WITH = {
    "multi_users_select": " (user ids)",
    "users_select": " (a user id)",
    "datepicker": " (YYYY-MM-DD)",
    "plain_text_input": " (text)",
}


def confirm_lines(confirm: dict[str, Any], cancel: bool = False) -> list[str]:
    """The dialog Slack shows before a press goes through, and the answer given to it."""
    yes, no = _text(confirm.get("confirm")) or "Yes", _text(confirm.get("deny")) or "Cancel"
    return [
        f"Slack asks: {_text(confirm.get('title'))}",
        f"  {_text(confirm.get('text'))}",
        f"  [{yes}] [{no}] → {no if cancel else yes}",
    ]
