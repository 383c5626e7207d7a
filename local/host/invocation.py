"""One invocation, as the worker makes it: the trigger value, ``func.Out`` arguments and ``context`` in, the
output bindings' values out; queue outputs written only after the function returned; one log line."""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import azure.functions as func

from local.host.errors import HostError
from local.host.indexing import Function
from local.host.queues import Queues, encode

log = logging.getLogger("host")


class OutValue(func.Out[Any]):
    """What the worker hands a function for an output binding argument."""

    def __init__(self) -> None:
        self._value: Any = None

    def set(self, val: Any) -> None:
        self._value = val

    def get(self) -> Any:
        return self._value


@dataclass(frozen=True)
class InvocationContext:
    """The ``context`` argument, for functions that ask for one."""

    invocation_id: str
    function_name: str
    function_directory: str
    trace_context: Any = None
    retry_context: Any = None
    thread_local_storage: threading.local = field(default_factory=threading.local)


def invoke(function: Function, trigger_value: Any, invocation_id: str, directory: Path) -> dict[str, Any]:
    """Call the function; the values of its output bindings, by binding name."""
    outs = {str(b["name"]): OutValue() for b in function.outputs if b["name"] != "$return"}
    arguments: dict[str, Any] = {str(function.trigger["name"]): trigger_value, **outs}
    if function.wants_context:
        arguments["context"] = InvocationContext(invocation_id, function.name, str(directory))
    result = function.call(**arguments)
    if inspect.iscoroutine(result):
        result = asyncio.run(result)
    values = {name: out.get() for name, out in outs.items()}
    if any(b["name"] == "$return" for b in function.outputs):
        values["$return"] = result
    elif result is not None:
        raise HostError(f"{function.name} returned a value but has no $return binding to take it.")
    return values


def queue_bodies(value: Any) -> list[bytes]:
    """The messages an output binding value stands for, as the worker's queue converter accepts them."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value.encode("utf-8")]
    if isinstance(value, bytes | bytearray):
        return [bytes(value)]
    if isinstance(value, func.QueueMessage):
        return [value.get_body()]
    if isinstance(value, Iterable) and not isinstance(value, Mapping):
        return [body for item in value for body in queue_bodies(item)]
    raise HostError(f"a queue output takes str, bytes, QueueMessage or a list of them, not {type(value).__name__}.")


class InFlight:
    """Counts running invocations, so shutdown can wait for them and polling can respect newBatchThreshold."""

    def __init__(self) -> None:
        self._count = 0
        self._changed = threading.Condition()

    @property
    def count(self) -> int:
        return self._count

    def enter(self) -> None:
        with self._changed:
            self._count += 1

    def leave(self) -> None:
        with self._changed:
            self._count -= 1
            self._changed.notify_all()

    def wait(self, until: Callable[[int], bool], timeout: float | None = None) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: until(self._count), timeout)

    def wake(self) -> None:
        with self._changed:
            self._changed.notify_all()


class Invoker:
    """Runs one invocation end to end: the call, then its outputs; one log line either way."""

    def __init__(self, queues: Queues, script_root: Path) -> None:
        self._queues = queues
        self._script_root = script_root

    def run(self, function: Function, trigger_value: Any, answer: Callable[[Any], Any] | None = None) -> Any:
        """Invoke; ``answer`` turns the HTTP output into what is sent back. Queue outputs are written only once
        the function returned and its answer was made. Raises whatever failed, after logging it."""
        invocation_id = str(uuid.uuid4())
        started = time.monotonic()
        try:
            values = invoke(function, trigger_value, invocation_id, self._script_root)
            http = function.http_output
            reply = answer(values.get(http) if http else None) if answer else None
            for name, target in function.queue_outputs.items():
                for body in queue_bodies(values.get(name)):
                    self._queues.send(target, encode(body, target.encoding))
        except Exception:
            log.exception(
                "Executed 'Functions.%s' (Failed, Id=%s, Duration=%dms)", function.name, invocation_id, _ms(started)
            )
            raise
        log.info(
            "Executed 'Functions.%s' (Succeeded, Id=%s, Duration=%dms)", function.name, invocation_id, _ms(started)
        )
        return reply


def _ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
