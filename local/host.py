"""A local Azure Functions host for function_app.py, for machines where Core Tools can't be installed.

It serves what the app declares, as ``func start`` would, and nothing is wired by hand:

* settings come from the environment, then ``local.settings.json`` ``Values``, then
  ``local.settings.json.example``; they are put in ``os.environ`` before the app is imported;
* the app is indexed once with ``app.get_functions()``, like the Python worker does;
* HTTP triggers answer at ``http://localhost:<port>/<routePrefix>/<route>`` with their declared methods and
  route parameters (``{id}``, ``{id?}``, ``{id:int}``, ``{*rest}``);
* queue triggers are polled with host.json's ``extensions.queues`` semantics: batchSize, newBatchThreshold,
  exponential back-off up to maxPollingInterval, visibilityTimeout as the retry delay, maxDequeueCount then
  ``<queue>-poison``, messageEncoding; while a function runs its message stays invisible under a lease
  renewed halfway (10 minutes in the real host), so a crash means redelivery, never loss;
* queue output bindings are written after the function returns, and only then.

    python -m local.host [--port 7071] [--host-json PATH] [--script-root PATH] [--functions NAME[,NAME]]
                         [--message-lease SECONDS] [--drain-seconds SECONDS]

``--functions`` serves only the named functions, as the real host's ``functions`` array in host.json does:
two hosts can then play the HTTP front and the queue worker, and the worker can be killed on its own.

Logs say which function ran, how it ended and how long it took: never a body, a message or a query string,
which carry user ids and command text.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import importlib.util
import inspect
import io
import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl, unquote, urlsplit

import azure.functions as func
from azure.core.exceptions import AzureError, ResourceExistsError, ResourceNotFoundError
from azure.functions.queue import QueueMessage as TriggerMessage
from azure.storage.queue import ExponentialRetry, QueueClient, QueueMessage

from interactions.storage_account import StorageAccount, StorageNotConfigured
from local.azurite import port_open

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PORT = 7071
SETTINGS_FILES = ("local.settings.json", "local.settings.json.example")  # the first one naming a setting wins
REAL_HOST_LEASE_SECONDS = 600.0
MIN_POLLING_INTERVAL = 0.1  # the real host's QueuePollingIntervals.Minimum
MAX_BATCH_SIZE = 32  # what one Get Messages call may return

log = logging.getLogger("host")


class HostError(RuntimeError):
    """The host cannot serve something as configured; the message says what to change."""


# --- Settings --------------------------------------------------------------------------------------------


def file_settings(script_root: Path) -> dict[str, str]:
    """The ``Values`` of the settings files, the first file that names a setting winning."""
    values: dict[str, str] = {}
    for name in reversed(SETTINGS_FILES):
        values.update({key: "" if v is None else str(v) for key, v in _settings_file(script_root / name).items()})
    return values


def resolved_settings(script_root: Path, environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """Every setting as the app will see it: the environment wins over the files."""
    return {**file_settings(script_root), **environ}


def apply_settings(script_root: Path) -> None:
    for name, value in file_settings(script_root).items():
        os.environ.setdefault(name, value)


def local_http_port(script_root: Path) -> int | None:
    """``Host.LocalHttpPort`` from the settings files, which ``func start`` honours too."""
    for name in SETTINGS_FILES:
        port = (_read_json(script_root / name).get("Host") or {}).get("LocalHttpPort")
        if port:
            return int(port)
    return None


def _read_json(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except ValueError as error:
        raise HostError(f"{path} is not valid JSON: {error}.") from error


def _settings_file(path: Path) -> dict[str, Any]:
    data = _read_json(path)
    if data.get("IsEncrypted"):
        raise HostError(f"{path.name} is encrypted; decrypt it (func settings decrypt) or set IsEncrypted to false.")
    return dict(data.get("Values") or {})


def resolve(text: str) -> str:
    """Replace ``%SETTING%`` placeholders, as the host does in binding properties such as queueName."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if not os.environ.get(name):
            raise HostError(f"'%{name}%' does not resolve to a value: set {name} in local.settings.json or the env.")
        return os.environ[name]

    return re.sub(r"%([^%]+)%", value, text)


def storage_account(connection: str | None) -> StorageAccount:
    """The storage account a binding's ``connection`` names (``AzureWebJobsStorage`` when empty): a connection
    string, or identity-based ``<name>__...`` settings, as the real host reads them."""
    name = connection or "AzureWebJobsStorage"
    for candidate in (name, f"AzureWebJobs{name}"):
        if os.environ.get(candidate) or any(key.startswith(f"{candidate}__") for key in os.environ):
            try:
                return StorageAccount.from_settings(os.environ, candidate)
            except StorageNotConfigured as error:
                raise HostError(f"connection {candidate}: {error}") from error
    raise HostError(f"connection setting {name} is missing: set it in local.settings.json or the environment.")


# --- host.json -------------------------------------------------------------------------------------------

_TIMESPAN = re.compile(r"(?:(\d+)\.)?(\d+):(\d+):(\d+(?:\.\d+)?)")
_LOG_LEVELS = {
    "trace": logging.DEBUG,
    "debug": logging.DEBUG,
    "information": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "critical": logging.CRITICAL,
    "none": logging.CRITICAL + 10,
}


def timespan(text: str) -> float:
    """Seconds in a .NET TimeSpan as host.json writes them: ``[d.]hh:mm:ss[.fff]``."""
    match = _TIMESPAN.fullmatch(str(text).strip())
    if match is None:
        raise HostError(f"host.json: {text!r} is not a time span like 00:00:10.")
    days, hours, minutes, seconds = match.groups()
    return int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + float(seconds)


@dataclass(frozen=True)
class QueueOptions:
    """host.json ``extensions.queues``, with the Storage extension's defaults."""

    batch_size: int = 16
    new_batch_threshold: int = 8
    max_polling_interval: float = 60.0
    visibility_timeout: float = 0.0  # how long a failed message waits before it is tried again
    max_dequeue_count: int = 5
    message_encoding: str = "base64"

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> QueueOptions:
        batch_size = int(section.get("batchSize", 16))
        if not 1 <= batch_size <= MAX_BATCH_SIZE:
            raise HostError(f"host.json: extensions.queues.batchSize must be from 1 to {MAX_BATCH_SIZE}.")
        threshold = section.get("newBatchThreshold")
        encoding = str(section.get("messageEncoding", "base64")).lower()
        if encoding not in ("base64", "none"):
            raise HostError('host.json: extensions.queues.messageEncoding must be "base64" or "none".')
        max_dequeue_count = int(section.get("maxDequeueCount", 5))
        if max_dequeue_count < 1:
            raise HostError("host.json: extensions.queues.maxDequeueCount must be at least 1.")
        return cls(
            batch_size=batch_size,
            # The extension's default is half a batch per processor.
            new_batch_threshold=int(threshold) if threshold is not None else batch_size // 2 * (os.cpu_count() or 1),
            max_polling_interval=max(MIN_POLLING_INTERVAL, timespan(section.get("maxPollingInterval", "00:01:00"))),
            visibility_timeout=timespan(section.get("visibilityTimeout", "00:00:00")),
            max_dequeue_count=max_dequeue_count,
            message_encoding=encoding,
        )


@dataclass(frozen=True)
class HostConfig:
    route_prefix: str = "api"
    queues: QueueOptions = field(default_factory=QueueOptions)
    log_level: int = logging.INFO

    @classmethod
    def load(cls, path: Path) -> HostConfig:
        if not path.exists():
            raise HostError(f"{path} does not exist: a Functions app needs a host.json.")
        data = _read_json(path)
        extensions = data.get("extensions") or {}
        level = str(((data.get("logging") or {}).get("logLevel") or {}).get("default", "Information"))
        return cls(
            route_prefix=str((extensions.get("http") or {}).get("routePrefix", "api")).strip("/"),
            queues=QueueOptions.from_section(extensions.get("queues") or {}),
            log_level=_LOG_LEVELS.get(level.lower(), logging.INFO),
        )


# --- Indexing the app ------------------------------------------------------------------------------------

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


# --- Invoking ----------------------------------------------------------------------------------------------


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


def encode(body: bytes, encoding: str) -> str:
    return base64.b64encode(body).decode("ascii") if encoding == "base64" else body.decode("utf-8")


def decode(content: str, encoding: str) -> bytes:
    return base64.b64decode(content, validate=True) if encoding == "base64" else content.encode("utf-8")


class Queues:
    """Queue clients by account and name, and the listeners to wake when this host writes to their queue
    (the real host's shared queue watcher: no waiting for the next poll)."""

    def __init__(self) -> None:
        self._clients: dict[tuple[StorageAccount, str], QueueClient] = {}
        self._watchers: dict[tuple[StorageAccount, str], list[Callable[[], None]]] = {}
        self._lock = threading.Lock()

    def client(self, target: QueueTarget) -> QueueClient:
        with self._lock:
            key = (target.storage, target.name)
            if key not in self._clients:
                self._clients[key] = target.storage.queue_client(
                    target.name,
                    retry_policy=ExponentialRetry(initial_backoff=1, increment_base=2, retry_total=2),
                    connection_timeout=5,
                    read_timeout=20,
                )
            return self._clients[key]

    def create(self, target: QueueTarget) -> None:
        with suppress(ResourceExistsError):
            self.client(target).create_queue()

    def send(self, target: QueueTarget, content: str) -> None:
        """Write one message, already encoded; creates the queue on first use."""
        client = self.client(target)
        try:
            client.send_message(content)
        except ResourceNotFoundError:
            self.create(target)
            client.send_message(content)
        self.notify(target)

    def watch(self, target: QueueTarget, wake: Callable[[], None]) -> None:
        with self._lock:
            self._watchers.setdefault((target.storage, target.name), []).append(wake)

    def notify(self, target: QueueTarget) -> None:
        with self._lock:
            watchers = list(self._watchers.get((target.storage, target.name), []))
        for wake in watchers:
            wake()


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


# --- HTTP --------------------------------------------------------------------------------------------------

_PARAMETER = re.compile(r"\{(?P<star>\*{1,2})?(?P<name>\w+)(?::(?P<constraint>[^}=?]+))?(?:=[^}]*)?(?P<optional>\?)?\}")
_CONSTRAINTS = {
    "int": r"-?\d+",
    "long": r"-?\d+",
    "alpha": r"[A-Za-z]+",
    "bool": r"(?i:true|false)",
    "guid": r"[0-9A-Fa-f]{8}-?(?:[0-9A-Fa-f]{4}-?){3}[0-9A-Fa-f]{12}",
}


@dataclass(frozen=True)
class Route:
    function: Function
    template: str
    pattern: re.Pattern[str]
    methods: frozenset[str] | None  # None: every method

    @classmethod
    def of(cls, function: Function) -> Route:
        template = str(function.trigger.get("route") or function.name).strip("/")
        methods = function.trigger.get("methods")
        allowed = frozenset(m.upper() for m in methods) if methods else None
        return cls(function, template, _route_pattern(template), allowed)

    @property
    def specificity(self) -> tuple[int, int]:
        """Literal segments win over parameters, as in ASP.NET routing; catch-alls come last."""
        segments = self.template.split("/")
        return (-sum(1 for s in segments if "{" not in s), sum(1 for s in segments if "{*" in s))


def _route_pattern(template: str) -> re.Pattern[str]:
    pattern = ""
    for position, segment in enumerate(s for s in template.split("/") if s):
        slash = "/" if position else ""
        whole = _PARAMETER.fullmatch(segment)
        if whole and (whole["optional"] or whole["star"]):  # the segment may be left out, with its slash
            pattern += f"(?:{slash}{_parameter_regex(whole)})?"
            continue
        pattern += slash
        last = 0
        for match in _PARAMETER.finditer(segment):
            pattern += re.escape(segment[last : match.start()]) + _parameter_regex(match)
            last = match.end()
        pattern += re.escape(segment[last:])
    return re.compile(pattern, re.IGNORECASE)


def _parameter_regex(match: re.Match[str]) -> str:
    if match["star"]:
        return f"(?P<{match['name']}>.*)"
    return f"(?P<{match['name']}>{_CONSTRAINTS.get(str(match['constraint']).lower(), '[^/]+')})"


@dataclass(frozen=True)
class RouteMatch:
    route: Route | None
    params: dict[str, str]
    status: int  # 200 when a function answers, else 404 or 405
    allowed: frozenset[str] = frozenset()


class Router:
    def __init__(self, functions: Iterable[Function], prefix: str) -> None:
        routes = [Route.of(f) for f in functions if f.trigger_type == "httpTrigger"]
        self.routes = sorted(routes, key=lambda r: r.specificity)
        self.prefix = prefix

    def match(self, method: str, path: str) -> RouteMatch:
        relative = self._relative(path)
        if relative is None:
            return RouteMatch(None, {}, 404)
        allowed: set[str] = set()
        for route in self.routes:
            found = route.pattern.fullmatch(relative)
            if found is None:
                continue
            if route.methods is None or method in route.methods:
                params = {k: unquote(v) for k, v in found.groupdict().items() if v is not None}
                return RouteMatch(route, params, 200)
            allowed |= route.methods
        return RouteMatch(None, {}, 405 if allowed else 404, frozenset(allowed))

    def _relative(self, path: str) -> str | None:
        path = path.strip("/")
        if not self.prefix:
            return path
        if path.lower() == self.prefix.lower():
            return ""
        if path.lower().startswith(self.prefix.lower() + "/"):
            return path[len(self.prefix) + 1 :]
        return None


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def http_answer(value: Any) -> Answer:
    """What the worker's HTTP converter makes of a function's HTTP output."""
    if value is None:
        return Answer(204, [], b"")
    if isinstance(value, str):
        return Answer(200, [("Content-Type", "text/plain; charset=utf-8")], value.encode("utf-8"))
    if isinstance(value, func.HttpResponse):
        headers = list(value.headers.items())
        if not any(name.lower() == "content-type" for name, _ in headers):
            mimetype = value.mimetype
            text = mimetype.startswith("text/")
            headers.append(("Content-Type", f"{mimetype}; charset={value.charset}" if text else mimetype))
        return Answer(int(value.status_code), headers, value.get_body())
    raise HostError(f"an HTTP function must return an HttpResponse or a str, not {type(value).__name__}.")


class _HttpServer(ThreadingHTTPServer):
    # socketserver listens with a backlog of 5: a burst of connections then waits out a SYN retransmit (1 s)
    # or is refused. Kestrel, which the real host serves with, keeps 512 waiting.
    request_queue_size = 512
    daemon_threads = True


class HttpFront:
    """Serves the HTTP triggers from a ThreadingHTTPServer, one thread per request."""

    def __init__(self, router: Router, invoker: Invoker, port: int, bind: str = "127.0.0.1") -> None:
        self.router = router
        self.in_flight = InFlight()
        self._invoker = invoker
        self._server = _HttpServer((bind, port), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, name="http", daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> None:
        self._thread.start()

    def stop_accepting(self) -> None:
        self._server.shutdown()

    def close(self) -> None:
        self._server.server_close()

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        split = urlsplit(request.path)
        match = self.router.match(request.command, split.path)
        if match.route is None:
            # The path is not logged: routes can carry user data.
            log.info(
                "HTTP %s: %s",
                request.command,
                "no function at that route" if match.status == 404 else "method not allowed",
            )
            headers = [("Allow", ", ".join(sorted(match.allowed)))] if match.allowed else []
            return _send(request, Answer(match.status, headers, b""))
        try:
            body = _read_body(request)
        except ValueError:
            return _send(request, Answer(400, [], b""))
        self.in_flight.enter()
        try:
            answer = self._invoke(request, match, split.query, body)
        finally:
            self.in_flight.leave()
        _send(request, answer)

    def _invoke(self, request: BaseHTTPRequestHandler, match: RouteMatch, query: str, body: bytes) -> Answer:
        assert match.route is not None  # noqa: S101 - handle() returned earlier otherwise
        host = request.headers.get("Host") or f"localhost:{self.port}"
        http_request = func.HttpRequest(
            method=request.command,
            url=f"http://{host}{request.path}",
            headers={name: ", ".join(request.headers.get_all(name) or []) for name in set(request.headers.keys())},
            params=dict(parse_qsl(query, keep_blank_values=True)),
            route_params=match.params,
            body=body,
        )
        try:
            answer: Answer = self._invoker.run(match.route.function, http_request, http_answer)
        except Exception:
            return Answer(500, [], b"")  # the real host sends no detail either; the log has the traceback
        return answer


def _handler(front: HttpFront) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "local-functions-host"

        def serve(self) -> None:
            try:
                front.handle(self)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client left; nothing to answer

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = serve

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the access log would show paths and queries; one line per invocation is logged instead

    return Handler


def _read_body(request: BaseHTTPRequestHandler) -> bytes:
    if "chunked" in request.headers.get("Transfer-Encoding", "").lower():
        return _read_chunked(request.rfile)
    length = int(request.headers.get("Content-Length") or 0)
    if length < 0:
        raise ValueError("negative Content-Length")
    return request.rfile.read(length) if length else b""


def _read_chunked(stream: io.BufferedIOBase) -> bytes:
    chunks: list[bytes] = []
    while size := int(stream.readline().split(b";")[0].strip() or b"0", 16):
        chunks.append(stream.read(size))
        stream.readline()
    while stream.readline().strip():  # trailers, up to the blank line
        pass
    return b"".join(chunks)


def _send(request: BaseHTTPRequestHandler, answer: Answer) -> None:
    request.send_response(answer.status)
    for name, value in answer.headers:
        if name.lower() not in ("content-length", "transfer-encoding", "connection"):
            request.send_header(name, value)
    bodiless = answer.status in (204, 304) or answer.status < 200
    request.send_header("Content-Length", "0" if bodiless else str(len(answer.body)))
    request.end_headers()
    if request.command != "HEAD" and not bodiless:
        request.wfile.write(answer.body)


# --- Queue triggers ----------------------------------------------------------------------------------------


class Lease:
    """Keeps a taken message invisible while its function runs, renewed halfway, as the real host does
    (with 10 minutes): a long invocation is never handed to a second worker, and a crashed host's messages
    come back once the lease runs out."""

    def __init__(self, client: QueueClient, message: QueueMessage, seconds: int) -> None:
        self._client = client
        self._id = message.id
        self._receipt: str | None = message.pop_receipt
        self._seconds = seconds
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._renew, name="lease", daemon=True)

    def start(self) -> Lease:
        self._thread.start()
        return self

    def end(self) -> str | None:
        """Stop renewing; the pop receipt that now owns the message, or None if the lease was lost."""
        self._done.set()
        with self._lock:
            return self._receipt

    def _renew(self) -> None:
        while not self._done.wait(self._seconds / 2):
            with self._lock:
                if self._done.is_set() or self._receipt is None:
                    return
                try:
                    updated = self._client.update_message(self._id, self._receipt, visibility_timeout=self._seconds)
                except ResourceNotFoundError:
                    log.warning("Lost the lease on a message of '%s': it comes again.", self._client.queue_name)
                    self._receipt = None
                    return
                except AzureError as error:  # try again at the next tick, with the receipt still valid
                    log.warning(
                        "Could not renew a message lease on '%s': %s.", self._client.queue_name, type(error).__name__
                    )
                    continue
                self._receipt = updated.pop_receipt


class QueueListener:
    """Polls one queue for one function, as the real host's QueueListener and QueueProcessor do."""

    def __init__(
        self, function: Function, invoker: Invoker, queues: Queues, options: QueueOptions, lease: float
    ) -> None:
        assert function.trigger_queue is not None  # noqa: S101 - only queue-triggered functions get here
        self.function = function
        self.target = function.trigger_queue
        self.in_flight = InFlight()
        self._invoker = invoker
        self._queues = queues
        self._options = options
        self._lease = max(1, round(lease))  # Storage counts visibility in whole seconds
        self._client = queues.client(self.target)
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._failing = False
        self._thread = threading.Thread(target=self._poll, name=f"queue-{function.name}", daemon=True)

    def start(self) -> None:
        self._queues.watch(self.target, self._wake.set)
        try:
            self._queues.create(self.target)
        except AzureError as error:
            log.warning("Could not create queue '%s' yet: %s.", self.target.name, type(error).__name__)
        self._thread.start()

    def stop_polling(self) -> None:
        self._stopping.set()
        self._wake.set()
        self.in_flight.wake()

    def _poll(self) -> None:
        delay = MIN_POLLING_INTERVAL
        threshold = self._options.new_batch_threshold
        while not self._stopping.is_set():
            # After a batch, the next one is fetched once no more than newBatchThreshold are still running.
            self.in_flight.wait(lambda busy: busy <= threshold or self._stopping.is_set())
            if self._stopping.is_set():
                return
            self._wake.clear()
            messages = self._receive()
            if messages and self._stopping.is_set():
                return self._put_back(messages)
            if messages:
                delay = MIN_POLLING_INTERVAL
                for message in messages:
                    self._dispatch(message)
                continue
            self._wake.wait(delay)
            delay = min(delay * 2, self._options.max_polling_interval)

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    def _put_back(self, messages: list[QueueMessage]) -> None:
        """Messages received as the host was stopping, before any function saw them: visible again now."""
        for message in messages:
            with suppress(AzureError):  # else it comes back when its lease ends
                self._client.update_message(message.id, message.pop_receipt, visibility_timeout=0)

    def _receive(self) -> list[QueueMessage]:
        count = self._options.batch_size
        try:
            received = self._client.receive_messages(
                max_messages=count, messages_per_page=count, visibility_timeout=self._lease
            )
            messages = list(received)
        except ResourceNotFoundError:
            self._queues.create(self.target)
            return []
        except AzureError as error:
            if not self._failing:
                log.warning("Cannot read queue '%s': %s. Retrying.", self.target.name, type(error).__name__)
            self._failing = True
            return []
        if self._failing:
            log.info("Queue '%s' is reachable again.", self.target.name)
            self._failing = False
        return messages

    def _dispatch(self, message: QueueMessage) -> None:
        self.in_flight.enter()
        threading.Thread(target=self._process_then_leave, args=(message,), name="invocation", daemon=True).start()

    def _process_then_leave(self, message: QueueMessage) -> None:
        try:
            self._process(message)
        except Exception:
            log.exception("Unexpected error while handling a message of '%s'.", self.target.name)
        finally:
            self.in_flight.leave()

    def _process(self, message: QueueMessage) -> None:
        attempts = int(message.dequeue_count or 1)
        maximum = self._options.max_dequeue_count
        if attempts > maximum:  # it outlived its tries without a verdict, e.g. through host crashes
            return self._to_poison(message, message.pop_receipt, f"dequeued {attempts} times")
        try:
            body = decode(message.content or "", self.target.encoding)
        except (binascii.Error, ValueError):
            return self._to_poison(message, message.pop_receipt, f"not {self.target.encoding} encoded")
        try:
            trigger_value = self._trigger_value(message, body)
        except UnicodeDecodeError:  # no retry can help either
            return self._to_poison(message, message.pop_receipt, "not UTF-8 text, which its str parameter needs")
        lease = Lease(self._client, message, self._lease).start()
        try:
            self._invoker.run(self.function, trigger_value)
            succeeded = True
        except Exception:
            succeeded = False
        receipt = lease.end()
        if receipt is None:
            return None
        if succeeded:
            return self._delete(message, receipt)
        if attempts >= maximum:
            return self._to_poison(message, receipt, f"failed {attempts} times")
        return self._retry_later(message, receipt, attempts)

    def _trigger_value(self, message: QueueMessage, body: bytes) -> Any:
        if self.function.trigger_as == "str":
            return body.decode("utf-8")
        if self.function.trigger_as == "bytes":
            return body
        return TriggerMessage(  # the worker's own, a func.QueueMessage with the trigger metadata
            id=message.id,
            body=body,
            dequeue_count=message.dequeue_count,
            expiration_time=message.expires_on,
            insertion_time=message.inserted_on,
            time_next_visible=message.next_visible_on,
            pop_receipt=message.pop_receipt,
        )

    def _delete(self, message: QueueMessage, receipt: str) -> None:
        try:
            self._client.delete_message(message.id, receipt)
        except AzureError as error:
            log.warning(
                "Could not delete a processed message of '%s' (%s): it will be delivered again.",
                self.target.name,
                type(error).__name__,
            )

    def _retry_later(self, message: QueueMessage, receipt: str, attempts: int) -> None:
        delay = round(self._options.visibility_timeout)
        try:
            self._client.update_message(message.id, receipt, visibility_timeout=delay)
        except AzureError as error:
            log.warning(
                "Could not release a failed message of '%s' (%s): it comes back when its lease ends.",
                self.target.name,
                type(error).__name__,
            )
            return
        log.warning(
            "A message of '%s' will be tried again in %d s (attempt %d of %d).",
            self.target.name,
            delay,
            attempts,
            self._options.max_dequeue_count,
        )

    def _to_poison(self, message: QueueMessage, receipt: str | None, why: str) -> None:
        poison = self.target.poison()
        try:
            self._queues.send(poison, message.content or "")  # as it came: still in the queue's encoding
            self._client.delete_message(message.id, receipt)
        except AzureError as error:
            log.error(
                "Could not move a message of '%s' to '%s' (%s).", self.target.name, poison.name, type(error).__name__
            )
            return
        log.error("Moved a message of '%s' to '%s': %s.", self.target.name, poison.name, why)


# --- The host --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HostOptions:
    script_root: Path = ROOT
    port: int | None = None  # None: Host.LocalHttpPort from local.settings.json, else 7071
    host_json: Path | None = None  # None: host.json in the script root
    message_lease: float = REAL_HOST_LEASE_SECONDS
    drain_seconds: float = 10.0
    functions: frozenset[str] | None = None  # None: every function of the app


class Host:
    def __init__(self, functions: list[Function], config: HostConfig, options: HostOptions, port: int) -> None:
        self.functions = functions
        self.config = config
        self.queues = Queues()
        invoker = Invoker(self.queues, options.script_root)
        self.http = HttpFront(Router(functions, config.route_prefix), invoker, port)
        self.listeners = [
            QueueListener(f, invoker, self.queues, config.queues, options.message_lease)
            for f in functions
            if f.trigger_type == "queueTrigger"
        ]

    def start(self) -> None:
        for listener in self.listeners:
            listener.start()
        self.http.start()

    def stop(self, grace: float) -> None:
        """Stop taking work, then give running invocations ``grace`` seconds. A message whose function is
        still running stays on its queue: it comes back when its lease ends."""
        deadline = time.monotonic() + grace
        for listener in self.listeners:
            listener.stop_polling()
        self.http.stop_accepting()
        for listener in self.listeners:  # a poll under way dispatches or puts back what it got
            listener.join(max(0.0, deadline - time.monotonic()))
        counters = [self.http.in_flight, *(listener.in_flight for listener in self.listeners)]
        for counter in counters:
            counter.wait(lambda busy: busy == 0, max(0.0, deadline - time.monotonic()))
        self.http.close()
        running = sum(counter.count for counter in counters)
        if running:
            log.warning("Stopped with %d invocation(s) still running; their messages stay on the queue.", running)

    def describe(self) -> str:
        lines = ["Functions:", ""]
        for function in self.functions:
            if function.trigger_type == "httpTrigger":
                route = Route.of(function)
                methods = ",".join(sorted(route.methods)) if route.methods else "any method"
                prefix = f"/{self.config.route_prefix}" if self.config.route_prefix else ""
                lines.append(
                    f"        {function.name}: [{methods}] http://localhost:{self.http.port}{prefix}/{route.template}"
                )
            elif function.trigger_queue is not None:
                lines.append(f"        {function.name}: queueTrigger on '{function.trigger_queue.name}'")
            lines.append("")
        return "\n".join(lines)


def build(options: HostOptions) -> Host:
    """Settings, host.json, the app and its index: everything but listening."""
    apply_settings(options.script_root)
    config = HostConfig.load(options.host_json or options.script_root / "host.json")
    logging.getLogger().setLevel(config.log_level)
    functions, errors = index(load_app(options.script_root), config.queues, options.functions)
    for error in errors:
        log.error("%s", error)
    port = options.port or local_http_port(options.script_root) or DEFAULT_PORT
    try:
        return Host(functions, config, options, port)
    except OSError as error:
        raise HostError(f"Cannot listen on port {port} ({error.strerror}): is a host running? Use --port.") from error


def configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    # The Azure SDK logs every storage request and its headers at INFO.
    logging.getLogger("azure").setLevel(logging.WARNING)


def serve(options: HostOptions) -> int:
    """Run the host until SIGINT or SIGTERM; a second signal stops without waiting."""
    stop = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        log.info("Stopping (%s): no new work; waiting for running invocations.", signal.Signals(signum).name)
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, request_stop)
    try:
        host = build(options)
    except HostError as error:
        log.error("%s", error)
        return 1
    except Exception:
        log.exception("The app could not be loaded.")
        return 1
    host.start()
    print(host.describe(), flush=True)
    log.info("Host started; Ctrl-C stops it.")
    try:
        while not stop.wait(0.5):
            pass
        host.stop(options.drain_seconds)
    except KeyboardInterrupt:
        log.warning("Stopped without waiting; unfinished messages come back when their lease ends.")
        return 130
    log.info("Host stopped.")
    return 0


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(prog="python -m local.host", description=__doc__.split("\n\n")[0])
    parse.add_argument("--port", type=int, help="HTTP port (default: local.settings.json Host.LocalHttpPort, or 7071)")
    parse.add_argument("--script-root", type=Path, default=ROOT, help="function_app.py's folder (default: the project)")
    parse.add_argument("--host-json", type=Path, help="host.json to use instead of the script root's")
    parse.add_argument(
        "--functions",
        type=function_names,
        metavar="NAME[,NAME]",
        help="serve only these functions, by name (default: all of the app's)",
    )
    parse.add_argument(
        "--message-lease",
        type=float,
        default=REAL_HOST_LEASE_SECONDS,
        metavar="SECONDS",
        help="how long a taken queue message stays invisible while its function runs, renewed halfway "
        "(default: 600, as the real host)",
    )
    parse.add_argument(
        "--drain-seconds",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="on Ctrl-C or SIGTERM, how long running invocations may take to finish (default: 10)",
    )
    return parse


def options_from(args: argparse.Namespace) -> HostOptions:
    return HostOptions(
        script_root=args.script_root.resolve(),
        port=args.port,
        host_json=args.host_json.resolve() if args.host_json else None,
        message_lease=args.message_lease,
        drain_seconds=args.drain_seconds,
        functions=args.functions,
    )


def function_names(text: str) -> frozenset[str]:
    names = frozenset(name.strip() for name in text.split(",") if name.strip())
    if not names:
        raise argparse.ArgumentTypeError("name at least one function")
    return names


def spawn(
    port: int, args: Iterable[str], env: Mapping[str, str], output: IO[bytes], timeout: float = 30
) -> subprocess.Popen[bytes]:
    """``python -m local.host`` on ``port`` in a subprocess, returned once it listens: its port opens only
    after the app is indexed and every listener started. If it exits or is not listening by ``timeout``,
    it is killed and HostError says which."""
    process = subprocess.Popen(  # noqa: S603 - our own module, with our own arguments
        [sys.executable, "-m", "local.host", "--port", str(port), *args],
        cwd=ROOT,
        env=dict(env),
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + timeout
    while not port_open(port):
        if process.poll() is not None or time.monotonic() > deadline:
            exited = process.poll() is not None
            process.kill()
            process.wait()
            raise HostError("the host exited at start" if exited else f"the host was not listening after {timeout} s")
        time.sleep(0.05)
    return process


def main(argv: list[str] | None = None) -> int:
    configure_logging()
    return serve(options_from(parser().parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
