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

The modules, in the order a start goes through them: ``settings`` (the environment and local.settings.json),
``config`` (host.json), ``indexing`` (the app's functions and bindings), ``queues`` (storage queue clients),
``invocation`` (calling a function and writing its outputs), ``routes`` and ``http_front`` (HTTP triggers),
``listener`` (queue triggers and their leases), ``server`` (all of it, started and stopped) and ``cli``.
"""

from __future__ import annotations

from local.host.cli import main, spawn
from local.host.errors import HostError
from local.host.server import HostOptions, configure_logging, serve
from local.host.settings import ROOT, resolved_settings

__all__ = ["ROOT", "HostError", "HostOptions", "configure_logging", "main", "resolved_settings", "serve", "spawn"]
