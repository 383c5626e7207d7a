"""The functions function_app.py registers, as the host finds them: called as the host calls them (the tests,
the benchmarks), and their HTTP routes (the manifest Slack is given must name those). Imports nothing but
the app itself, so that probes run in fresh interpreters see only what the app imports."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any


@cache
def _registered() -> tuple[Any, ...]:
    """``get_functions()`` may run only once per app object: this is the one call, for the whole process."""
    import function_app

    return tuple(function_app.app.get_functions())


def registered_functions() -> dict[str, Callable[..., Any]]:
    """The functions the host calls, by name."""
    return {str(f.get_function_name()): f.get_user_function() for f in _registered()}


def http_routes() -> dict[str, str]:
    """Each HTTP-triggered function's route, by name, as declared (the host serves it under its prefix)."""
    routes: dict[str, str] = {}
    for function in _registered():
        # function.json's form of the bindings, as the host reads them
        for binding in json.loads(function.get_function_json())["bindings"]:
            if binding["type"] == "httpTrigger":
                routes[str(function.get_function_name())] = str(binding.get("route") or function.get_function_name())
    return routes
