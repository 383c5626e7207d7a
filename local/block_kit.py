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
CHOICES = ("radio_buttons",)  # inputs whose options each count as one control, as a menu's do
# Inputs a member fills in (one control each), with where the value sits in Slack's state and in the element
# when the app sets one first.
FILLED = {
    "plain_text_input": ("value", "initial_value"),
    "multi_users_select": ("selected_users", "initial_users"),
    "users_select": ("selected_user", "initial_user"),
    "datepicker": ("selected_date", "initial_date"),
}
STATEFUL = {
    **FILLED,
    "static_select": ("selected_option", "initial_option"),
    "radio_buttons": ("selected_option", "initial_option"),
}

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

    label: str  # a button's text; a menu's placeholder and the option's text ("Span: 90 days"); an input's label
    action_id: str
    block_id: str
    type: str  # the element's type: "button", "static_select", "overflow", "radio_buttons", or an input's
    value: str | None  # a button's value, or the option's; None for an input filled in
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


def controls(blocks: Iterable[Json], state: Json | None = None) -> list[Control]:
    """Each button, each option of each menu or radio buttons, and each input to fill in, in the order Slack
    shows them. ``state``: the view's values as the member chose them (Slack's ``state.values``), for which
    option is the current one; without it, the one the app set first."""
    found: list[Control] = []
    for block in blocks:
        block_id = str(block.get("block_id", ""))
        for element in elements_of(block):
            chosen = ((state or {}).get(block_id) or {}).get(str(element.get("action_id", "")))
            found.extend(_controls_of(element, block_id, text_of(block.get("label")), chosen))
    return found


def elements_of(block: Json) -> list[Json]:
    """The interactive elements of a block: an actions block's, a section's accessory, an input's element."""
    elements = _dicts(block.get("elements")) if block.get("type") == "actions" else []
    for name in ("accessory", "element") if block.get("type") != "actions" else ():
        if isinstance(block.get(name), dict):
            elements = [*elements, block[name]]
    return elements


def _controls_of(element: Json, block_id: str, label: str, chosen: Json | None) -> Iterator[Control]:
    kind, action_id = str(element.get("type", "")), str(element.get("action_id", ""))
    if kind == "button":
        value = element.get("value")
        yield Control(text_of(element.get("text")), action_id, block_id, kind, value, element)
    elif kind in MENUS or kind in CHOICES:
        placeholder = text_of(element.get("placeholder")) or label
        current = chosen.get("selected_option") if chosen is not None else element.get("initial_option")
        for option in menu_options(element):
            label = f"{placeholder}: {text_of(option.get('text'))}" if placeholder else text_of(option.get("text"))
            value = option.get("value")
            yield Control(label, action_id, block_id, kind, value, element, option, _same_option(option, current))
    elif kind in FILLED:
        yield Control(label or text_of(element.get("placeholder")) or kind, action_id, block_id, kind, None, element)


def _same_option(option: Json, current: Any) -> bool:
    return isinstance(current, dict) and option.get("value") == current.get("value")


# --- State: what a member chose in a view ----------------------------------------------------------------------


def state_entry(element: Json, value: Any) -> Json:
    """One element's entry in Slack's ``state.values``: its type, and ``value`` under the name Slack gives it
    for that type (a text's ``value``, ``selected_users``, ``selected_date``, ``selected_option``...)."""
    kind = str(element.get("type", ""))
    return {"type": kind, STATEFUL[kind][0]: value}


def initial_state(blocks: Iterable[Json], kept: Json | None = None) -> Json:
    """The ``state.values`` of a view as Slack shows it: each stateful element with what the member chose
    (``kept``, from before an update, in input blocks whose block and action ids are still there, as Slack
    keeps them), else with what the app set first."""
    values: Json = {}
    for block in blocks:
        block_id = str(block.get("block_id", ""))
        for element in elements_of(block):
            kind, action_id = str(element.get("type", "")), str(element.get("action_id", ""))
            if kind not in STATEFUL or not action_id:
                continue
            before = ((kept or {}).get(block_id) or {}).get(action_id) if block.get("type") == "input" else None
            if isinstance(before, dict) and before.get("type") == kind:
                values.setdefault(block_id, {})[action_id] = before
            else:
                values.setdefault(block_id, {})[action_id] = state_entry(element, element.get(STATEFUL[kind][1]))
    return values


def input_block_ids(blocks: Iterable[Json]) -> set[str]:
    """The ids of a view's input blocks: the only ones a submission's errors may name."""
    return {str(block.get("block_id")) for block in blocks if block.get("type") == "input"}


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
    if payload.get("type") == "modal" and input_block_ids(_dicts(blocks)) and not text_of(payload.get("submit")):
        found.append("input blocks in a modal without a submit button")
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
    elif kind == "input":
        found += _text_problems(block.get("label"), 2000, "input label")
        found += [] if isinstance(block.get("element"), dict) else ["an input block without its element"]
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
