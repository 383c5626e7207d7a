"""What Azure offers, as lists kept in the repo (``azure_lists.json``): each compiled on a date from the
pages it names, not read from Azure, with the exact command that prints it today to refresh it. The deploy's
offline checks and its dry run answer from these."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_FILE = Path(__file__).with_name("azure_lists.json")


@dataclass(frozen=True)
class Dated:
    compiled: str
    compiled_from: str
    refresh: str
    values: tuple[Any, ...]

    @property
    def as_said(self) -> str:
        """How a message names the list: compiled, when, and how to refresh it."""
        return f"list compiled {self.compiled}, not read from Azure; refresh with: {self.refresh}"


def _load() -> dict[str, Dated]:
    raw = json.loads(_FILE.read_text(encoding="utf-8"))
    return {
        key: Dated(entry["compiled"], entry["compiled_from"], entry["refresh"], tuple(entry["values"]))
        for key, entry in raw.items()
    }


_LISTS = _load()
FLEX_LOCATIONS = _LISTS["flex_locations"]
FLEX_PYTHON_VERSIONS = _LISTS["flex_python_versions"]
BUILTIN_ROLES = _LISTS["builtin_roles"]
INSTANCE_MEMORY_MB: tuple[int, ...] = _LISTS["flex_instance_memory_mb"].values
MAX_INSTANCES_RANGE: tuple[int, int] = (_LISTS["flex_maximum_instance_count"].values[0],
                                        _LISTS["flex_maximum_instance_count"].values[1])  # fmt: skip
CORE_TOOLS_MINIMUM: str = _LISTS["core_tools_minimum"].values[0]
FUNC_PUBLISH_OPTIONS: frozenset[str] = frozenset(_LISTS["func_publish_options"].values)


def version_tuple(text: str) -> tuple[int, ...]:
    """``4.0.6610`` (or ``4.0.6610 (...)``, as some builds print) as (4, 0, 6610); () when unreadable."""
    head = text.strip().split()[0] if text.strip() else ""
    parts = head.split(".")
    return tuple(int(p) for p in parts) if parts and all(p.isdigit() for p in parts) else ()
