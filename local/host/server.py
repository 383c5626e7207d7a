"""The host: settings, host.json and the app's index put together into an HTTP front and one queue listener
per queue trigger; started, served until a signal, and stopped letting running invocations finish."""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from local.host.config import HostConfig
from local.host.errors import HostError
from local.host.http_front import HttpFront
from local.host.indexing import Function, index, load_app
from local.host.invocation import Invoker
from local.host.listener import QueueListener
from local.host.queues import Queues
from local.host.routes import Route, Router
from local.host.settings import ROOT, apply_settings, local_http_port

DEFAULT_PORT = 7071
REAL_HOST_LEASE_SECONDS = 600.0

log = logging.getLogger("host")


@dataclass(frozen=True)
class HostOptions:
    script_root: Path = ROOT
    port: int | None = None  # None: Host.LocalHttpPort from local.settings.json, else 7071
    host_json: Path | None = None  # None: host.json in the script root
    message_lease: float = REAL_HOST_LEASE_SECONDS
    drain_seconds: float = 10.0
    functions: frozenset[str] | None = None  # None: every function of the app
    # What runs a timer-triggered function by hand, by function name: the host lists timers, never runs them.
    timer_commands: Mapping[str, str] = field(default_factory=dict)
    timer_purposes: Mapping[str, str] = field(default_factory=dict)  # what each timer does, by function name


class Host:
    def __init__(self, functions: list[Function], config: HostConfig, options: HostOptions, port: int) -> None:
        self.functions = functions
        self.config = config
        self.timer_commands = options.timer_commands
        self.timer_purposes = options.timer_purposes
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
            elif function.trigger_type == "timerTrigger":
                command = self.timer_commands.get(function.name)
                by_hand = f"`{command}` runs it once, now" if command else "the local host does not run timers"
                schedule = function.trigger.get("schedule", "")
                purpose = self.timer_purposes.get(function.name)
                by_hand += f" ({purpose})" if purpose else ""
                lines.append(f"        {function.name}: timerTrigger '{schedule}', not on its schedule here: {by_hand}")
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
