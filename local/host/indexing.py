"""Indexing the app as the Python worker does: import ``function_app.py``, call ``get_functions()`` once, check
each function as the worker does when it loads it (its annotations resolved, each matched to its binding's
type: one that fails stops the whole app, as on Azure), and turn each function's bindings into what the host
serves, or into an error line for what it cannot."""

from __future__ import annotations

import importlib.util
import inspect
import json
import os
import re
import sys
import types
import typing
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
    for definition in definitions:  # every function, served here or not: Azure's worker loads them all
        check_loadable(definition)
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
    if trigger["type"] not in ("httpTrigger", "queueTrigger", "timerTrigger"):  # a timer is listed, not run
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


class _Generic:
    """The worker's binding for a ``str`` or ``bytes`` annotation, and for binding types the library lacks."""

    @staticmethod
    def check_input_type_annotation(pytype: type) -> bool:
        return issubclass(pytype, (str, bytes))

    @staticmethod
    def check_output_type_annotation(pytype: type) -> bool:
        return issubclass(pytype, (str, bytes, bytearray))


def check_loadable(definition: Any) -> None:
    """What Azure's Python worker checks as it loads a function, which the import and ``get_functions()`` do
    not: ``typing.get_type_hints`` on the function (a name imported only under TYPE_CHECKING fails there), the
    ``context`` parameter, a binding for each other parameter and a parameter for each binding but the
    return's, and each parameter's and the return's annotation against its binding's type. The worker fails
    the whole app on the first function that does not pass, and so does this."""
    name = definition.get_function_name()
    call = definition.get_user_function()
    try:
        hints = typing.get_type_hints(call)
    except Exception as error:  # NameError mostly; whatever it is, the worker fails on it too
        raise _unloadable(
            name,
            f"its annotations do not resolve ({type(error).__name__}: {error}): a name in a function's "
            "signature must be imported at run time, not only under TYPE_CHECKING",
        ) from error
    bindings = {str(b["name"]): b for b in json.loads(definition.get_function_json())["bindings"]}
    parameters = list(inspect.signature(call).parameters)
    if "context" in parameters and "context" not in bindings:  # the invocation's context, bound by no binding
        parameters.remove("context")
        if "context" in hints and getattr(hints["context"], "__name__", "") != "Context":
            raise _unloadable(
                name,
                f'the "context" parameter is expected to be of type azure.functions.Context, got {hints["context"]!r}',
            )
    # Every parameter but an unbound context is a binding's, and every binding but the return a parameter's.
    declared = set(bindings) - {"$return"}
    if set(parameters) - declared:
        unbound = set(parameters) - declared
        raise _unloadable(
            name, f"the following parameters are declared in Python but not in function.json: {unbound!r}"
        )
    if declared - set(parameters):
        unused = declared - set(parameters)
        raise _unloadable(name, f"the following parameters are declared in function.json but not in Python: {unused!r}")
    for parameter in parameters:
        if parameter in hints:
            problem = _parameter_problem(parameter, bindings[parameter], hints[parameter])
            if problem is not None:
                raise _unloadable(name, problem)
    returned = bindings.get("$return")
    if returned is not None and "return" in hints:
        problem = _return_problem(str(returned["type"]), hints["return"])
        if problem is not None:
            raise _unloadable(name, problem)


def _unloadable(name: str, problem: str) -> HostError:
    return HostError(f"Azure's Python worker would not load this app: cannot load the {name} function: {problem}.")


def _is_out(hint: Any) -> bool:
    return getattr(typing.get_origin(hint) or hint, "__name__", "") == "Out"


def _parameter_problem(parameter: str, binding: Mapping[str, Any], hint: Any) -> str | None:
    out = _is_out(hint)
    if out:
        arguments = typing.get_args(hint)
        if len(arguments) != 1:
            return f"binding {parameter} has invalid Out annotation {hint!r}"
        pytype = arguments[0]
    else:
        pytype = hint
    # The worker takes typing's generics (List[str]) but not the builtins' (list[str]), whatever the Python.
    typing_generic = typing.get_origin(pytype) is not None and not isinstance(pytype, types.GenericAlias)
    if not isinstance(pytype, type) and not typing_generic:
        return f"binding {parameter} has invalid non-type annotation {pytype!r}"
    binding_out = str(binding.get("direction", "")).upper() == "OUT"
    if binding_out and not out:
        return (
            f'binding {parameter} is declared to have the "out" direction, but its annotation in Python is not '
            "a subclass of azure.functions.Out"
        )
    if out and not binding_out:
        return (
            f'binding {parameter} is declared to have the "in" direction, but its annotation is '
            "azure.functions.Out in Python"
        )
    kind = str(binding["type"])
    if not _matches("generic" if pytype in (str, bytes) else kind, pytype, output=out):
        return (
            f'type of {parameter} binding in function.json "{kind}" does not match its Python annotation '
            f'"{getattr(pytype, "__name__", pytype)}"'
        )
    return None


def _return_problem(kind: str, hint: Any) -> str | None:
    if _is_out(hint):
        return "return annotation should not be azure.functions.Out"
    if not isinstance(hint, type):
        return f"has invalid non-type return annotation {hint!r}"
    if not _matches(kind, hint, output=True):
        return f'Python return annotation "{hint.__name__}" does not match binding type "{kind}"'
    return None


def _matches(kind: str, pytype: Any, output: bool) -> bool:
    """The library's converter for the binding type says whether it takes or gives this Python type."""
    registry: Any = func.get_binding_registry  # untyped in the library
    converter: Any = registry().get(kind) or _Generic
    try:
        if output:
            return bool(converter.check_output_type_annotation(pytype))
        return bool(converter.check_input_type_annotation(pytype))
    except TypeError:  # issubclass() of a generic alias: the worker fails on it as well
        return False
