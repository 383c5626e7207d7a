"""``make run``: the app on this machine. Starts Azurite in memory (unless AzureWebJobsStorage already points
at storage that answers, or is empty beside keyless ``AzureWebJobsStorage__*`` settings), the Slack
stand-in (unless --no-slack, for a real workspace reaching this machine through a tunnel), then the local
Functions host; Ctrl-C stops them all.

    python -m local.run [--port 7071] [--slack-port 7072] [--no-slack] [--host-json PATH]
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from local import host
from local.azurite import DEFAULT_PORTS, Azurite, AzuriteError
from local.slack_standin import SlackStandIn

LOOPBACK = ("127.0.0.1", "localhost", "::1")
SERVICES = ("blob", "queue", "table")
DEFAULT_SLACK_PORT = 7072


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


def ensure_storage(connection: str) -> Azurite | None:
    """Azurite started on the connection string's ports, or None when storage already answers there."""
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
    try:
        azurite = Azurite((places[0].port, places[1].port, places[2].port)).start()
    except AzuriteError as error:
        raise RunError(f"Could not start Azurite: {error}") from error
    print("Storage:        Azurite in memory: " + ", ".join(f"{s} {p}" for s, p in zip(SERVICES, places, strict=True)))
    return azurite


def start_slack(port: int) -> SlackStandIn:
    try:
        standin = SlackStandIn(port=port).start()
    except OSError as error:
        raise RunError(f"Port {port} is taken ({error.strerror}): choose another with --slack-port.") from error
    # The app's settings, pointed at the stand-in: the environment wins over local.settings.json.
    os.environ["SLACK_API_URL"] = standin.api_url
    os.environ["SLACK_RESPONSE_URL_PREFIXES"] = f"{standin.url}/hooks/"
    print(f"Slack stand-in: {standin.url} (what each user was shown: GET {standin.url}/shown/<user id>)")
    return standin


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(prog="python -m local.run", description=__doc__.split("\n\n")[0])
    parse.add_argument("--port", type=int, help="the host's HTTP port (default: 7071)")
    parse.add_argument("--slack-port", type=int, default=DEFAULT_SLACK_PORT, help="the stand-in's port (default: 7072)")
    parse.add_argument("--no-slack", action="store_true", help="no stand-in: the app talks to SLACK_API_URL as set")
    parse.add_argument("--host-json", type=Path, help="host.json to use instead of the project's")
    return parse


def run(args: argparse.Namespace) -> int:
    with ExitStack() as cleanup:
        settings = host.resolved_settings(host.ROOT)
        storage = settings.get("AzureWebJobsStorage", "")
        if not storage and any(name.startswith("AzureWebJobsStorage__") for name in settings):
            # A real account without keys (for one, `az login` and AzureWebJobsStorage__accountName).
            print("Storage:        keyless, through the AzureWebJobsStorage__* settings and azure-identity")
        elif not storage:
            raise RunError("AzureWebJobsStorage is not set in the environment, local.settings.json or its example.")
        elif azurite := ensure_storage(storage):
            cleanup.callback(azurite.stop)
        if args.no_slack:
            print("Slack:          no stand-in; answers go to SLACK_API_URL and the response_urls Slack sends")
        else:
            cleanup.callback(start_slack(args.slack_port).stop)
        print("Try it:         make try TEXT='@U0DON + Random Guy -'  (Ctrl-C stops everything)", flush=True)
        options = host.HostOptions(port=args.port, host_json=args.host_json.resolve() if args.host_json else None)
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
