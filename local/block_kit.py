"""Block Kit as Slack reads it, for the Slack stand-in and the local tools that show what it holds: the text a
person reads in a message or view, the controls they can press, and the limits past which Slack refuses it.

Limits are Slack's documented ones (https://api.slack.com/reference/block-kit), each refused as Slack
refuses it, so that a test against the stand-in fails where Slack would fail.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]

MESSAGE_BLOCKS = 50
MODAL_BLOCKS = 100  # and the Home tab's
TEXT_CHARACTERS = 3000
MENUS = ("static_select", "overflow")  # controls whose options each count as one control

# Each field of a text object or element that Slack limits, with its limit in characters.
_BUTTON = {"action_id": 255, "value": 2000, "url": 3000}
_MENU = {"action_id": 255}
_OPTION_TEXT, _OPTION_VALUE, _OPTIONS = 75, 150, 100
_CONFIRM = {"title": 100, "text": 300, "confirm": 30, "deny": 30}
_VIEW_TEXTS = {"title": 24, "close": 24, "submit": 24}
_VIEW_FIELDS = {"private_metadata": 3000, "callback_id": 255, "external_id": 255}


@dataclass(frozen=True)
class Control:
    """Something a person can press: a button, or one option of a menu (choosing it is the press)."""

    label: str  # a button's text; a menu's placeholder and the option's text ("Span: 90 days")
    action_id: str
    block_id: str
    type: str  # the element's type: "button", "static_select", "overflow"
    value: str | None  # a button's value, or the option's
    element: Json = field(repr=False)
    option: Json | None = None  # the option a press chooses, for a menu
    current: bool = False  # the option the menu shows as chosen already

    @property
    def confirm(self) -> Json | None:
        """The dialog Slack shows before the press goes through, if any."""
        confirm = self.element.get("confirm")
        return confirm if isinstance(confirm, dict) else None


# --- Reading ------------------------------------------------------------------------------------------------


def text_of(obj: Any) -> str:
    """A text object's text, as sent."""
    return str(obj.get("text", "")) if isinstance(obj, dict) else ""


def rich_text_lines(block: Json, inline: Callable[[Json], str]) -> list[str]:
    """A rich_text block's lines, each part of a line given by ``inline``: lists one item a line (bullet or
    number first), quotes after "> ", preformatted text as it is."""
    lines: list[str] = []
    for part in _dicts(block.get("elements")):
        kind = part.get("type")
        if kind == "rich_text_list":
            ordered = part.get("style") == "ordered"
            for number, item in enumerate(_dicts(part.get("elements")), start=1 + int(part.get("offset", 0) or 0)):
                marker = f"{number}. " if ordered else "  " * int(part.get("indent", 0) or 0) + "• "
                lines.extend(marker + line for line in _section(item, inline).split("\n"))
        else:
            text = _section(part, inline)
            lines.extend(("> " + line if kind == "rich_text_quote" else line) for line in text.split("\n"))
    return lines


def raw_inline(element: Json) -> str:
    """One part of a rich text section as Slack markup would write it: a mention as ``<@U123>``, a date by
    its fallback."""
    kind = element.get("type")
    if kind == "user":
        return f"<@{element.get('user_id', '')}>"
    if kind == "usergroup":
        return f"<!subteam^{element.get('usergroup_id', '')}>"
    if kind == "channel":
        return f"<#{element.get('channel_id', '')}>"
    if kind == "broadcast":
        return f"<!{element.get('range', '')}>"
    if kind == "date":
        return str(element.get("fallback", ""))
    if kind == "emoji":
        return f":{element.get('name', '')}:"
    if kind == "link":
        return str(element.get("text") or element.get("url", ""))
    if kind == "color":
        return str(element.get("value", ""))
    return str(element.get("text", ""))


def readable_text(blocks: Iterable[Json]) -> list[str]:
    """The texts a person reads in blocks, as sent (markup left as is), in order; not the labels of
    buttons and menus."""
    parts: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "rich_text":
            parts.extend(rich_text_lines(block, raw_inline))
            continue
        if kind == "actions":
            continue
        if isinstance(block.get("text"), dict):
            parts.append(text_of(block["text"]))
        parts.extend(text_of(f) for f in _dicts(block.get("fields")))
        if kind == "context":
            parts.extend(text_of(e) for e in _dicts(block.get("elements")) if e.get("type") != "image")
    return parts


def controls(blocks: Iterable[Json]) -> list[Control]:
    """Each button, and each option of each menu, in the order Slack shows them."""
    found: list[Control] = []
    for block in blocks:
        elements = _dicts(block.get("elements")) if block.get("type") == "actions" else []
        accessory = block.get("accessory")
        if isinstance(accessory, dict):
            elements = [*elements, accessory]
        block_id = str(block.get("block_id", ""))
        for element in elements:
            found.extend(_controls_of(element, block_id))
    return found


def _controls_of(element: Json, block_id: str) -> Iterator[Control]:
    kind, action_id = str(element.get("type", "")), str(element.get("action_id", ""))
    if kind == "button":
        value = element.get("value")
        yield Control(text_of(element.get("text")), action_id, block_id, kind, value, element)
    elif kind in MENUS:
        placeholder = text_of(element.get("placeholder"))
        initial = element.get("initial_option")
        for option in menu_options(element):
            label = f"{placeholder}: {text_of(option.get('text'))}" if placeholder else text_of(option.get("text"))
            value = option.get("value")
            yield Control(label, action_id, block_id, kind, value, element, option, option == initial)


def menu_options(element: Json) -> list[Json]:
    """A menu's options, those in groups included, in order."""
    options = _dicts(element.get("options"))
    for group in _dicts(element.get("option_groups")):
        options += _dicts(group.get("options"))
    return options


def with_block_ids(blocks: Iterable[Json]) -> list[Json]:
    """The blocks as Slack keeps them: each block the app sent without a block_id is given one."""
    return [block if block.get("block_id") else {**block, "block_id": uuid.uuid4().hex[:5]} for block in blocks]


def _section(section: Json, inline: Callable[[Json], str]) -> str:
    return "".join(inline(element) for element in _dicts(section.get("elements")))


def _dicts(value: Any) -> list[Json]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


# --- Limits -------------------------------------------------------------------------------------------------


def problems(payload: Json, max_blocks: int) -> list[str]:
    """Why Slack would refuse a message or view with these blocks (none: it takes it)."""
    found: list[str] = []
    blocks = payload.get("blocks") or []
    if not isinstance(blocks, list) or len(blocks) > max_blocks:
        return [f"more than {max_blocks} blocks"]
    block_ids = [str(b.get("block_id")) for b in _dicts(blocks) if b.get("block_id")]
    if len(block_ids) != len(set(block_ids)):
        found.append("a block_id used twice")
    for block in _dicts(blocks):
        found += _block_problems(block)
    if payload.get("type") in ("modal", "home"):
        found += [f"{name} too long" for name, most in _VIEW_TEXTS.items() if len(text_of(payload.get(name))) > most]
        found += [f"{name} too long" for name, most in _VIEW_FIELDS.items() if len(str(payload.get(name, ""))) > most]
    return found


def _block_problems(block: Json) -> list[str]:
    header = block.get("type") == "header"
    found = _text_problems(block.get("text"), 150 if header else TEXT_CHARACTERS, "text", optional=not header)
    fields = _dicts(block.get("fields"))
    if len(fields) > 10:
        found.append("more than 10 fields")
    for item in fields:
        found += _text_problems(item, 2000, "field")
    if len(str(block.get("block_id", ""))) > 255:
        found.append("block_id too long")
    elements = _dicts(block.get("elements"))
    kind = block.get("type")
    if kind == "context":
        found += ["more than 10 context elements"] if len(elements) > 10 else []
        found += [p for e in elements if e.get("type") != "image" for p in _text_problems(e, TEXT_CHARACTERS, "text")]
    elif kind == "actions":
        found += ["more than 25 actions"] if len(elements) > 25 else []
        action_ids = [e.get("action_id") for e in elements if e.get("action_id")]
        found += ["an action_id used twice in a block"] if len(action_ids) != len(set(action_ids)) else []
        found += [p for e in elements for p in _element_problems(e)]
    if isinstance(block.get("accessory"), dict):
        found += _element_problems(block["accessory"])
    return found


def _element_problems(element: Json) -> list[str]:
    kind = element.get("type")
    found: list[str] = []
    if kind == "button":
        found += _text_problems(element.get("text"), 75, "button text")
        found += _too_long(element, _BUTTON)
    elif kind in MENUS:
        found += _too_long(element, _MENU)
        if kind == "static_select":
            found += _text_problems(element.get("placeholder"), 150, "placeholder", optional=True)
        options = menu_options(element)
        if not options or len(options) > _OPTIONS:
            found.append("a menu without options, or with more than 100")
        for option in options:
            found += _text_problems(option.get("text"), _OPTION_TEXT, "option text")
            if not 0 < len(str(option.get("value", ""))) <= _OPTION_VALUE:
                found.append("an option value empty or over 150 characters")
        initial = element.get("initial_option")
        if initial is not None and initial not in options:
            found.append("an initial_option that is not one of the options")
    if isinstance(element.get("confirm"), dict):
        confirm = element["confirm"]
        for name, most in _CONFIRM.items():
            found += _text_problems(confirm.get(name), most, f"confirm {name}", optional=name in ("confirm", "deny"))
    return found


def _text_problems(obj: Any, most: int, what: str, optional: bool = False) -> list[str]:
    if obj is None and optional:
        return []
    text = text_of(obj)
    return [f"{what} empty or over {most} characters"] if not 0 < len(text) <= most else []


def _too_long(element: Json, limits: dict[str, int]) -> list[str]:
    return [f"{name} too long" for name, most in limits.items() if len(str(element.get(name, ""))) > most]
