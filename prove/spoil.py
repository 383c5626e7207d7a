"""Ways to spoil a real press or event: each kind with what the app must answer it. Deterministic ones say
what they are (Slack never sends them: refused with 400, or acknowledged and left alone with 200); random ones
change any part of the JSON, and may be anything."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from interactions.dashboard import Dashboard
from interactions.slack import actions
from prove.presses import Json

DEEP = 5000  # levels of nested arrays: far past any recursion limit, far below the size limit
ODD = ("\u202e", "\u200b", "\ufeff", "😀", "\x00", "é", "ﬁ", "\u0301", "Ω", "\U0001d54f")
FOREIGN_URL = "https://hooks.example.com/actions/T0FOREIGN/1/forged"


def odd_text(rng: random.Random, length: int = 12) -> str:
    alphabet = "aZ09 -_.:/<>&%=\\\"'" + "".join(ODD)
    return "".join(rng.choice(alphabet) for _ in range(length))


def deeply_nested(kind: str) -> str:
    """A JSON object of the given type holding an array nested ``DEEP`` levels deep."""
    return f'{{"type":"{kind}","x":' + "[" * DEEP + "]" * DEEP + "}"


def set_value(payload: Json, value: Any) -> Json:
    """The payload with the pressed control's value (a button's, or the chosen option's) replaced."""
    spoiled = copy.deepcopy(payload)
    action = spoiled["actions"][0]
    if isinstance(action.get("selected_option"), dict):
        action["selected_option"]["value"] = value
    else:
        action["value"] = value
    return spoiled


def value_of(payload: Json) -> str:
    action = payload["actions"][0]
    option = action.get("selected_option")
    return str(option["value"] if isinstance(option, dict) else action["value"])


# --- Not what Slack sends: 400 ------------------------------------------------------------------------------


def _drop(path: tuple[Any, ...]) -> Callable[[Json], Json | None]:
    def spoil(payload: Json) -> Json | None:
        spoiled, node, last = _at(payload, path)
        if not isinstance(node, dict) or last not in node:
            return None
        del node[last]
        return spoiled

    return spoil


def _put(path: tuple[Any, ...], value: Any) -> Callable[[Json], Json | None]:
    def spoil(payload: Json) -> Json | None:
        spoiled, node, last = _at(payload, path)
        if not isinstance(node, dict | list) or (isinstance(node, dict) and last not in node):
            return None
        node[last] = value
        return spoiled

    return spoil


def _at(payload: Json, path: tuple[Any, ...]) -> tuple[Json, Any, Any]:
    """A copy of ``payload``, the node in it that holds ``path``'s last key (None when the path is not
    there), and that key."""
    spoiled = copy.deepcopy(payload)
    *parents, last = path
    node: Any = spoiled
    for key in parents:
        node = node.get(key) if isinstance(node, dict) else node[key] if isinstance(node, list) else None
        if node is None:
            break
    return spoiled, node, last


def _message_only(spoil: Callable[[Json], Json | None]) -> Callable[[Json], Json | None]:
    return lambda payload: spoil(payload) if payload.get("container", {}).get("type") == "message" else None


def _view_only(spoil: Callable[[Json], Json | None]) -> Callable[[Json], Json | None]:
    return lambda payload: spoil(payload) if "view" in payload else None


SHAPES: list[tuple[str, Callable[[Json], Json | str | None]]] = [
    ("not JSON", lambda p: json.dumps(p)[:-7]),
    ("JSON, not an object", lambda p: json.dumps([p])),
    ("null", lambda p: "null"),
    ("nested 5,000 deep", lambda p: deeply_nested("block_actions")),
    ("a 5,000-digit number", lambda p: json.dumps(p).replace('"block_actions"', '"block_actions","z":' + "9" * 5000)),
    ("no user", _drop(("user",))),
    ("no user id", _drop(("user", "id"))),
    ("no actions", _drop(("actions",))),
    ("no container", _drop(("container",))),
    ("no action_id", _drop(("actions", 0, "action_id"))),
    ("no response_url", _message_only(_drop(("response_url",)))),
    ("no view", _view_only(_drop(("view",)))),
    ("no view id", _view_only(_drop(("view", "id")))),
    ("user a string", _put(("user",), "U0STRING")),
    ("user id a number", _put(("user", "id"), 12345)),
    ("user id lower case", _put(("user", "id"), "u0lower")),
    ("user id odd", _put(("user", "id"), "U0\u202eODD")),
    ("actions empty", _put(("actions",), [])),
    ("actions an object", _put(("actions",), {})),
    ("action a string", _put(("actions", 0), "press")),
    ("action_id a number", _put(("actions", 0, "action_id"), 7)),
    ("action_id empty", _put(("actions", 0, "action_id"), "")),
    ("action_id 256 long", _put(("actions", 0, "action_id"), "a" * 256)),
    ("value a number", lambda p: set_value(p, 42)),
    ("value null", lambda p: set_value(p, None)),
    ("value a list", lambda p: set_value(p, [value_of(p)])),
    ("value 2,001 long", lambda p: set_value(p, "x" * 2001)),
    ("container a list", _put(("container",), [])),
    ("container of no kind", _message_only(_put(("container", "type"), "thread"))),
    ("response_url a number", _message_only(_put(("response_url",), 8))),
    ("response_url elsewhere", _message_only(_put(("response_url",), FOREIGN_URL))),
    ("view a string", _view_only(_put(("view",), "V0STRING"))),
    ("view id odd", _view_only(_put(("view", "id"), "V\u200b1"))),
]


# --- Values the app did not write: 400 ----------------------------------------------------------------------


def forged_dashboard(rng: random.Random, good: str) -> str:
    fields = json.loads(good)
    change: dict[str, Any] = rng.choice(
        [
            {"d": 0},
            {"d": 100_000},
            {"d": "30"},
            {"d": 30.0},
            {"d": True},
            {"m": "calendar"},
            {"m": None},
            {"r": 2},
            {"r": True},
            {"r": "1"},
            {"p": -1},
            {"p": 10**7},
            {"p": "2"},
            {"s": "../../etc"},
            {"s": "7" * 65},
            {"s": odd_text(rng)},
            {"s": ""},
            {"b": "x y"},
            {"t": [-1, 0]},
            {"t": [1]},
            {"t": "1,2"},
            {"x": 1},
        ]
    )
    undo = actions.undo_value(actions.UndoTarget("c" * 32, datetime.now(UTC), 1, "0123456789abcdef"))
    return rng.choice([json.dumps({**fields, **change}), "v=1", "[]", odd_text(rng) + good, good + "\u200b", undo])


def forged_undo(rng: random.Random, good: str) -> str:
    fields = json.loads(good)
    change: dict[str, Any] = rng.choice(
        [
            {"c": "abc-def"},
            {"c": ""},
            {"c": "c" * 65},
            {"c": odd_text(rng)},
            {"a": -1},
            {"a": 10**13},
            {"a": "1"},
            {"n": 0},
            {"n": 101},
            {"n": True},
            {"o": "U-1"},
            {"o": ""},
            {"o": "f" * 17},
            {"o": "0123456789ABCDEF"},
            {"o": "0123456789abcde\u202e"},
            {"x": 1},
        ]
    )
    return rng.choice(
        [json.dumps({**fields, **change}), json.dumps(list(fields.values())), actions.dashboard_value(Dashboard())]
    )


# --- Acknowledged and left alone: 200 -----------------------------------------------------------------------

UNKNOWN_ACTIONS = ("dashboard_export", "UNDO", "undo ", "😀", "a" * 255, "dashboard_older_v0")
OTHER_TYPES = ("view_closed", "view_submission", "shortcut", "message_action", "block_suggestion", "BLOCK_ACTIONS", "")
OTHER_EVENTS = ("message", "app_mention", "app_uninstalled", "tokens_revoked", "app_home_opened ")
OTHER_TABS = ("messages", "about", "", None)


# --- Random ------------------------------------------------------------------------------------------------


def junk(rng: random.Random) -> Any:
    return rng.choice(
        [
            None,
            True,
            0,
            -1,
            2**63,
            1.5e308,
            "",
            odd_text(rng),
            "x" * rng.choice([256, 2001, 70_000]),
            [],
            {},
            [[[]]],
            {"a": {"b": [1, "2"]}},
            "U0" + odd_text(rng, 4),
        ]
    )


def _slots(node: Any) -> Iterator[tuple[Any, Any]]:
    """Every (container, key) of a JSON document, depth first."""
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, child in list(children):
        yield node, key
        yield from _slots(child)


def mutated(rng: random.Random, document: Json) -> Json | str:
    """``document`` with one to three random changes: a part replaced by junk, removed, or junk added; now and
    then a character of its JSON text dropped or changed."""
    spoiled = copy.deepcopy(document)
    for _ in range(rng.randint(1, 3)):
        slots = list(_slots(spoiled))
        if not slots:
            break
        container, key = rng.choice(slots)
        roll = rng.random()
        if roll < 0.6:
            container[key] = junk(rng)
        elif roll < 0.8 and isinstance(container, dict):
            del container[key]
        elif isinstance(container, dict):
            container[odd_text(rng, 6)] = junk(rng)
        else:
            container.insert(rng.randrange(len(container) + 1), junk(rng))
    if rng.random() < 0.15:
        text = json.dumps(spoiled)
        at = rng.randrange(len(text))
        return text[:at] + rng.choice(["", "}", '"', "\\", "x"]) + text[at + 1 :]
    return spoiled
