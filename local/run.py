"""``make run``: the app on this machine. Starts Azurite, keeping its tables in ``.azurite/`` and its queues in
memory (or all in memory with --in-memory), unless AzureWebJobsStorage already points at storage that
answers, or is empty beside keyless ``AzureWebJobsStorage__*`` settings; the Slack stand-in (unless
--no-slack, for a real workspace reaching this machine through a tunnel); then the local Functions host.
Azurite is restarted if it exits meanwhile; Ctrl-C stops them all. Nothing starts when the app already runs
on these ports.

    python -m local.run [--port 7071] [--slack-port 7072] [--no-slack] [--in-memory | --azurite-folder PATH]
                        [--storage-ports BLOB,QUEUE,TABLE] [--host-json PATH]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import sys
import threading
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from local import host
from local.azurite import DEFAULT_PORTS, SAVE_SECONDS, Azurite, AzuriteError, connection_string
from local.host.http_front import SERVER_NAME
from local.host.server import DEFAULT_PORT
from local.host.settings import local_http_port
from local.slack_standin import SlackStandIn
from testkit.app_settings import slack_settings

LOOPBACK = ("127.0.0.1", "localhost", "::1")
SERVICES = ("blob", "queue", "table")
DEFAULT_SLACK_PORT = 7072
# Ignored by git and by the deployment: what was logged locally survives a restart of `make run`.
DEFAULT_AZURITE_FOLDER = host.ROOT / ".azurite"
# The host lists the app's timers without running them on their schedule; each is run by hand with these.
TIMER_COMMANDS = {"expire_old_entries": "make expire"}
TIMER_PURPOSES = {
    "expire_old_entries": "it deletes entries past their retention and markers older than a day",
    "report_queue_depth": "on Azure it logs how many messages wait in the poison queues, for the alert on them",
}


class RunError(RuntimeError):
    """What keeps the app from starting, said so that the developer knows what to do."""


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def local(self) -> bool:
        return self.host in LOOPBACK


def endpoint(connection: str, service: str) -> Endpoint:
    """Where a storage connection string sends one service's requests."""
    settings = {key.strip().lower(): value for key, _, value in (p.partition("=") for p in connection.split(";") if p)}
    if settings.get("usedevelopmentstorage", "").lower() == "true":
        return Endpoint("127.0.0.1", DEFAULT_PORTS[SERVICES.index(service)])
    url = settings.get(f"{service}endpoint")
    if not url:
        protocol = settings.get("defaultendpointsprotocol", "https")
        suffix = settings.get("endpointsuffix", "core.windows.net")
        url = f"{protocol}://{settings.get('accountname', '')}.{service}.{suffix}"
    split = urlsplit(url)
    return Endpoint(split.hostname or "", split.port or (443 if split.scheme == "https" else 80))


def reachable(place: Endpoint) -> bool:
    try:
        with socket.create_connection((place.host, place.port), timeout=0.5):
            return True
    except OSError:
        return False


def storage_answers(connection: str) -> bool:
    """True when the queue endpoint speaks Azure Storage with this account, not merely holds the port."""
    from azure.storage.queue import QueueServiceClient

    client = QueueServiceClient.from_connection_string(connection, retry_total=0, connection_timeout=2, read_timeout=3)
    try:
        client.get_service_properties()
    except Exception:
        return False
    return True


def ensure_storage(connection: str, folder: Path | None) -> Azurite | None:
    """Azurite started on the connection string's ports, keeping its data in ``folder`` (None: in memory), or
    None when storage already answers there."""
    queue = endpoint(connection, "queue")
    if reachable(queue):
        if storage_answers(connection):
            print(f"Storage:        already listening at {queue} (AzureWebJobsStorage); using it")
            return None
        raise RunError(
            f"Something that is not Azure Storage holds {queue}, the queue endpoint of AzureWebJobsStorage: "
            "stop it, or point AzureWebJobsStorage at other ports."
        )
    places = [endpoint(connection, service) for service in SERVICES]
    if not all(place.local for place in places):
        raise RunError(f"The storage of AzureWebJobsStorage does not answer at {queue}.")
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    try:
        azurite = Azurite((places[0].port, places[1].port, places[2].port), location=folder).start()
    except AzuriteError as error:
        raise RunError(f"Could not start Azurite: {error}") from error
    kept = "in memory" if folder is None else f"keeping its tables in {shown_path(folder)} (queues in memory)"
    print(f"Storage:        Azurite {kept}: " + ", ".join(f"{s} {p}" for s, p in zip(SERVICES, places, strict=True)))
    return azurite


def shown_path(folder: Path) -> str:
    return f"{folder.relative_to(host.ROOT)}/" if folder.is_relative_to(host.ROOT) else str(folder)


class AzuriteWatch:
    """Starts Azurite again, on the same ports and with the same data folder, when it exits while the app runs:
    the host's queue listeners and the HTTP function then find their storage back without a restart."""

    def __init__(self, azurite: Azurite, interval: float = 0.5) -> None:
        self._azurite = azurite
        self._interval = interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="azurite-watch", daemon=True)

    def start(self) -> AzuriteWatch:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()

    def _watch(self) -> None:
        failing = False
        while not self._stopped.wait(self._interval):
            exited = self._azurite.exited()
            if not exited:
                continue
            if not failing:
                for name, code in exited.items():
                    print(f"Storage:        Azurite exited (code {code}); restarting it{lost(name, code)}", flush=True)
            try:
                self._azurite.restart()
                failing = False
            except AzuriteError as error:
                if not failing:
                    print(f"Storage:        Azurite did not restart ({error}); trying again", flush=True)
                failing = True


def lost(name: str, code: int) -> str:
    """What a restart of the Azurite process that served ``name`` ("all" or one service) does not bring back."""
    if name == "all":
        return ", in memory: what it held is gone"
    if name == "queue":
        return "; queues are kept in memory: commands acknowledged but not yet carried out are gone"
    if name == "table" and code == -signal.SIGKILL:
        return (
            f"; it was killed, not stopped, so what it took in its last {SAVE_SECONDS} seconds is lost (it saves "
            f"every {SAVE_SECONDS} seconds, and everything when stopped: Ctrl-C here)"
        )
    return ""


@dataclass(frozen=True)
class Answer:
    status: int  # 0: the port is held by something that does not speak HTTP
    server: str
    body: bytes


def probe(port: int, path: str) -> Answer | None:
    """What answers a GET on this machine's ``port``; None when nothing listens there."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=3)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return Answer(response.status, response.getheader("Server", ""), response.read(65536))
    except ConnectionRefusedError:
        return None
    except (OSError, http.client.HTTPException):
        return Answer(0, "", b"")
    finally:
        connection.close()


def check_ports(host_port: int, slack_port: int | None) -> None:
    """Refuse, before anything starts, when the app already runs here (a `make run` in another terminal), or
    when something else holds a port it needs: saying where it runs beats failing half started."""
    functions = probe(host_port, "/")
    standin = probe(slack_port, "/shown/U0LOCALUSER") if slack_port is not None else None
    ours = []
    if functions is not None and functions.server.startswith(SERVER_NAME):
        ours.append(f"the functions at http://localhost:{host_port}/api/")
    if standin is not None and is_standin(standin):
        ours.append(f"the Slack stand-in at http://127.0.0.1:{slack_port}")
    if ours:
        raise RunError(
            f"The app is already running on this machine: {' and '.join(ours)}. Use it (make try help in another "
            "terminal), or stop it (Ctrl-C where it runs) before starting it again."
        )
    if functions is not None:
        held = f" ({functions.server})" if functions.server else ""
        raise RunError(f"Port {host_port} is held by something else{held}: stop it, or choose another with --port.")
    if standin is not None:
        raise RunError(f"Port {slack_port} is held by something else: stop it, or choose another with --slack-port.")


def is_standin(answer: Answer) -> bool:
    """The stand-in answers GET /shown/<user> with a JSON list."""
    try:
        return answer.status == 200 and isinstance(json.loads(answer.body), list)
    except ValueError:
        return False


def start_slack(port: int) -> SlackStandIn:
    try:
        standin = SlackStandIn(port=port).start()
    except OSError as error:
        raise RunError(f"Port {port} is taken ({error.strerror}): choose another with --slack-port.") from error
    # The app's settings, pointed at the stand-in: the environment wins over local.settings.json.
    os.environ.update(slack_settings(standin))
    print(f"Slack stand-in: {standin.url} (what each user was shown: GET {standin.url}/shown/<user id>)")
    return standin


def storage_ports(text: str) -> tuple[int, int, int]:
    try:
        blob, queue, table = (int(port) for port in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError("three ports, blob, queue and table: 10000,10001,10002") from None
    if len({blob, queue, table}) != 3 or not all(0 < port < 65536 for port in (blob, queue, table)):
        raise argparse.ArgumentTypeError("three different ports between 1 and 65535")
    return blob, queue, table


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(prog="python -m local.run", description=__doc__.split("\n\n")[0])
    parse.add_argument("--port", type=int, help="the host's HTTP port (default: 7071)")
    parse.add_argument("--slack-port", type=int, default=DEFAULT_SLACK_PORT, help="the stand-in's port (default: 7072)")
    parse.add_argument("--no-slack", action="store_true", help="no stand-in: the app talks to SLACK_API_URL as set")
    parse.add_argument("--host-json", type=Path, help="host.json to use instead of the project's")
    parse.add_argument(
        "--storage-ports",
        type=storage_ports,
        metavar="BLOB,QUEUE,TABLE",
        help="Azurite's ports (default: those AzureWebJobsStorage names, 10000,10001,10002 in the example); "
        "`make expire` then needs AzureWebJobsStorage set to the same",
    )
    kept = parse.add_mutually_exclusive_group()
    kept.add_argument("--in-memory", action="store_true", help="Azurite keeps nothing: a restart starts empty")
    kept.add_argument(
        "--azurite-folder",
        type=Path,
        default=DEFAULT_AZURITE_FOLDER,
        metavar="PATH",
        help="where Azurite keeps its data (default: .azurite/ in the project)",
    )
    return parse


def run(args: argparse.Namespace) -> int:
    with ExitStack() as cleanup:
        check_ports(args.port or local_http_port(host.ROOT) or DEFAULT_PORT, None if args.no_slack else args.slack_port)
        if args.storage_ports is not None:
            # Azurite's, on these ports: the environment wins over local.settings.json for the host here.
            os.environ["AzureWebJobsStorage"] = connection_string(*args.storage_ports)
        settings = host.resolved_settings(host.ROOT)
        storage = settings.get("AzureWebJobsStorage", "")
        if not storage and any(name.startswith("AzureWebJobsStorage__") for name in settings):
            # A real account without keys (for one, `az login` and AzureWebJobsStorage__accountName).
            print("Storage:        keyless, through the AzureWebJobsStorage__* settings and azure-identity")
        elif not storage:
            raise RunError("AzureWebJobsStorage is not set in the environment, local.settings.json or its example.")
        elif azurite := ensure_storage(storage, None if args.in_memory else args.azurite_folder.resolve()):
            cleanup.callback(azurite.stop)
            cleanup.callback(AzuriteWatch(azurite).start().stop)  # stops watching before Azurite is stopped
        if args.no_slack:
            print("Slack:          no stand-in; answers go to SLACK_API_URL and the response_urls Slack sends")
        else:
            cleanup.callback(start_slack(args.slack_port).stop)
        print("Try it:         make try @U0DON + Random Guy -  (Ctrl-C stops everything)", flush=True)
        options = host.HostOptions(
            port=args.port,
            host_json=args.host_json.resolve() if args.host_json else None,
            timer_commands=TIMER_COMMANDS,
            timer_purposes=TIMER_PURPOSES,
        )
        return host.serve(options)


def main(argv: Sequence[str] | None = None) -> int:
    host.configure_logging()
    try:
        return run(parser().parse_args(argv))
    except RunError as error:
        print(f"make run: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # before the host took over the signals
        return 130


if __name__ == "__main__":
    sys.exit(main())
