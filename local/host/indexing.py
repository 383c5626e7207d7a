"""Indexing the app as the Python worker does: import ``function_app.py``, call ``get_functions()`` once, and
turn each function's bindings into what the host serves, or into an error line for what it cannot."""

from __future__ import annotations

import importlib.util
import inspect
import json
import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import azure.functions as func

from interactions.storage_account import StorageAccount
from local.host.config import QueueOptions
from local.host.errors import HostError
from local.host.settings import resolve, storage_account

_QUEUE_NAME = re.compile(r"[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]")


@dataclass(frozen=True)
class QueueTarget:
    """A queue a binding names, with its settings resolved."""

    storage: StorageAccount
    name: str
    encoding: str

    @classmethod
    def of(cls, binding: Mapping[str, Any], encoding: str) -> QueueTarget:
        name = resolve(str(binding.get("queueName", "")))
        if not _QUEUE_NAME.fullmatch(name):
            raise HostError(f"{name!r} is not a valid queue name (3-63 lowercase letters, digits and single hyphens).")
        storage = storage_account(binding.get("connection"))
        try:
            storage.queue_client(name)
        except ValueError as error:
            raise HostError(f"connection {binding.get('connection')} is not a storage connection string.") from error
        return cls(storage, name, encoding)

    def poison(self) -> QueueTarget:
        return QueueTarget(self.storage, f"{self.name}-poison", self.encoding)


@dataclass(frozen=True)
class Function:
    name: str
    call: Callable[..., Any]
    trigger: Mapping[str, Any]  # the trigger binding, as in function.json
    outputs: tuple[Mapping[str, Any], ...]
    queue_outputs: Mapping[str, QueueTarget]  # by binding name ("$return" included)
    trigger_queue: QueueTarget | None
    trigger_as: str  # how the trigger argument is passed: "object", "str" or "bytes"
    wants_context: bool

    @property
    def trigger_type(self) -> str:
        return str(self.trigger["type"])

    @property
    def http_output(self) -> str | None:
        return next((str(b["name"]) for b in self.outputs if b["type"] == "http"), None)


def load_app(script_root: Path) -> Any:
    """Import the app's script as the worker does and return its one FunctionApp."""
    script = script_root / os.environ.get("PYTHON_SCRIPT_FILE_NAME", "function_app.py")
    if not script.exists():
        raise HostError(f"{script} does not exist.")
    sys.path.insert(0, str(script_root))  # first, so the app's own modules win
    spec = importlib.util.spec_from_file_location(script.stem, script)
    if spec is None or spec.loader is None:
        raise HostError(f"{script} cannot be imported.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[script.stem] = module
    spec.loader.exec_module(module)
    apps = [value for value in vars(module).values() if isinstance(value, func.FunctionRegister)]
    if len(apps) != 1:
        raise HostError(f"{script.name} must define exactly one FunctionApp; it defines {len(apps)}.")
    return apps[0]


def index(
    app: Any, queue_options: QueueOptions, only: frozenset[str] | None = None
) -> tuple[list[Function], list[str]]:
    """The functions the host can serve, and an error line for each it cannot (the others still run).
    With ``only``, the functions of other names are left out, unindexed; a name the app lacks is an error."""
    functions: list[Function] = []
    errors: list[str] = []
    definitions = app.get_functions()  # allowed once per app object: this is the only call
    if only is not None:
        unknown = only - {definition.get_function_name() for definition in definitions}
        if unknown:
            raise HostError(f"the app has no function named {', '.join(sorted(unknown))} (see --functions).")
        definitions = [definition for definition in definitions if definition.get_function_name() in only]
    for definition in definitions:
        try:
            functions.append(_function(definition, queue_options))
        except HostError as error:
            errors.append(f"The '{definition.get_function_name()}' function is in error: {error}")
    return functions, errors


def _function(definition: Any, queue_options: QueueOptions) -> Function:
    name = definition.get_function_name()
    # function.json's form of get_bindings(): plain strings where the binding objects hold enums.
    bindings: list[dict[str, Any]] = json.loads(definition.get_function_json())["bindings"]
    trigger_name = definition.get_trigger().name
    trigger = next(b for b in bindings if b["name"] == trigger_name)
    if trigger["type"] not in ("httpTrigger", "queueTrigger"):
        raise HostError(f"the local host does not run {trigger['type']} triggers.")
    outputs = tuple(b for b in bindings if b is not trigger)
    for binding in outputs:
        if (str(binding.get("direction", "")).upper(), binding["type"]) not in (("OUT", "http"), ("OUT", "queue")):
            raise HostError(f"binding {binding['name']} ({binding['type']}) is not supported by the local host.")
    call = definition.get_user_function()
    parameters = inspect.signature(call).parameters
    if trigger_name not in parameters:
        raise HostError(f"the trigger argument {trigger_name} is not a parameter of the function.")
    bound = {b["name"] for b in bindings}
    unbound = [p for p in parameters if p not in bound and p != "context"]
    if unbound:
        raise HostError(f"parameter(s) {', '.join(unbound)} have no binding.")
    encoding = queue_options.message_encoding
    return Function(
        name=name,
        call=call,
        trigger=trigger,
        outputs=outputs,
        queue_outputs={str(b["name"]): QueueTarget.of(b, encoding) for b in outputs if b["type"] == "queue"},
        trigger_queue=QueueTarget.of(trigger, encoding) if trigger["type"] == "queueTrigger" else None,
        trigger_as=_passed_as(parameters[trigger_name].annotation),
        wants_context="context" in parameters and "context" not in bound,
    )


def _passed_as(annotation: Any) -> str:
    """The worker passes a trigger as str or bytes when the parameter says so (annotations may be strings)."""
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    return text if text in ("str", "bytes") else "object"
