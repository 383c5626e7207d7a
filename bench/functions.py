"""The functions function_app.py registers, as the host finds them. Imports nothing but the app itself, so
that probes run in fresh interpreters see only what the app imports."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any


@cache
def registered_functions() -> dict[str, Callable[..., Any]]:
    """The functions the host calls, by name. ``get_functions()`` may run only once per app object."""
    import function_app

    return {str(f.get_function_name()): f.get_user_function() for f in function_app.app.get_functions()}
