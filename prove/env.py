"""The world one harness run drives: Azurite keeping its data on disk (so that it can be stopped and started
again), the Slack stand-in, and the app in two local host processes, the HTTP front and the queue worker, so
that the worker can be killed while the front keeps acknowledging. Every process writes its log to a file in
the run's folder, for the privacy check at the end."""

from __future__ import annotations

import json
import logging
import os
import secrets
import signal
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import TableClient, TableServiceClient
from azure.storage.queue import QueueClient, QueueServiceClient

from local.azurite import Azurite, free_port
from local.host import HostError, spawn
from local.slack_standin import SlackStandIn

ROOT = Path(__file__).resolve().parent.parent
HTTP_FUNCTIONS = "slack_commands"
WORKER_FUNCTIONS = "process_command,report_failed_command"
# A killed worker's messages come back after this, not the real host's 10 minutes. Renewed halfway: on two
# busy cores a renewal can be a second late, and a 2-second lease then lets a running message go twice.
WORKER_LEASE_SECONDS = 3
# Five failed tries of a poison message within seconds, not the project's 10 s apart; nothing else changes.
RETRY_DELAY = "00:00:01"

log = logging.getLogger("prove")


@dataclass(frozen=True)
class Workspace:
    """The Slack workspace the harness plays, and the app's secrets: fresh for each run, and all of them
    things the privacy check looks for where they must not be."""

    team_id: str
    team_domain: str
    channel_id: str
    channel_name: str
    api_app_id: str
    verification_token: str  # the deprecated ``token`` form field Slack still sends
    signing_secret: str
    bot_token: str
    pseudonym_key: str

    @classmethod
    def fresh(cls) -> Workspace:
        tag = secrets.token_hex(4).upper()
        return cls(
            team_id=f"T{tag}TEAM",
            team_domain=f"prove{tag.lower()}",
            channel_id=f"C{tag}CHAN",
            channel_name=f"chan{tag.lower()}",
            api_app_id=f"A{tag}APP",
            verification_token=f"vtok{secrets.token_hex(8)}",
            signing_secret=secrets.token_hex(16),
            bot_token=f"xoxb-{secrets.token_hex(12)}",
            pseudonym_key=secrets.token_hex(32),
        )

    def secrets(self) -> dict[str, str]:
        """What must appear in no log and nowhere in storage, by what it is."""
        return {
            "team id": self.team_id,
            "team domain": self.team_domain,
            "channel id": self.channel_id,
            "channel name": self.channel_name,
            "verification token": self.verification_token,
            "signing secret": self.signing_secret,
            "bot token": self.bot_token,
            "pseudonym key": self.pseudonym_key,
        }


@dataclass
class HostProcess:
    """``python -m local.host`` serving some of the app's functions; each start logs to a new file."""

    name: str
    env: dict[str, str]
    logs: Path
    args: tuple[str, ...]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def start(self, timeout: float = 30) -> HostProcess:
        self.starts += 1
        with self.log_file(self.starts).open("wb") as output:
            try:
                self.process = spawn(self.port, self.args, self.env, output, timeout)
            except HostError as error:
                raise RuntimeError(
                    f"The {self.name} host did not start ({error}); see {self.log_file(self.starts)}."
                ) from error
        return self

    def log_file(self, start: int) -> Path:
        return self.logs / f"{self.name}-{start}.log"

    def log_text(self) -> str:
        """Everything every start of this host has logged so far."""
        return "".join(self.log_file(n).read_text(errors="replace") for n in range(1, self.starts + 1))

    def kill(self) -> None:
        """SIGKILL: no drain, no cleanup, as a crashed or evicted worker."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self, timeout: float = 20) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()


@dataclass
class Stack:
    folder: Path
    workspace: Workspace
    azurite: Azurite
    slack: SlackStandIn
    http: HostProcess
    worker: HostProcess
    table_name: str
    queue_name: str

    @property
    def commands_url(self) -> str:
        return f"http://127.0.0.1:{self.http.port}/api/slack/commands"

    @property
    def connection_string(self) -> str:
        return self.azurite.connection_string

    def table(self) -> TableClient:
        return TableClient.from_connection_string(self.connection_string, self.table_name)

    def queue(self, suffix: str = "") -> QueueClient:
        return QueueClient.from_connection_string(self.connection_string, self.queue_name + suffix)

    def entities(self) -> list[dict[str, Any]]:
        """Every entry in the app's table: the rows that name a Person (the privacy check reads the rest)."""
        try:
            return [dict(entity) for entity in self.table().list_entities() if "Person" in entity]
        except ResourceNotFoundError:
            return []

    def waiting(self, suffix: str = "") -> int:
        """Messages on the app's queue (or its poison queue), visible or not."""
        try:
            return self.queue(suffix).get_queue_properties().approximate_message_count or 0
        except ResourceNotFoundError:
            return 0

    def tables(self) -> TableServiceClient:
        return TableServiceClient.from_connection_string(self.connection_string)

    def queues(self) -> QueueServiceClient:
        return QueueServiceClient.from_connection_string(self.connection_string)

    def restart_worker(self) -> None:
        self.worker.start()


def host_json(folder: Path) -> Path:
    """The project's host.json with the retry delay shortened (RETRY_DELAY), written into the run's folder."""
    config = json.loads((ROOT / "host.json").read_text(encoding="utf-8"))
    config["extensions"]["queues"]["visibilityTimeout"] = RETRY_DELAY
    path = folder / "host.json"
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    return path


def app_env(workspace: Workspace, azurite: Azurite, slack: SlackStandIn, table: str, queue: str) -> dict[str, str]:
    """The app's settings; the environment wins over local.settings.json in the local host."""
    return {
        **os.environ,
        "AzureWebJobsStorage": azurite.connection_string,
        "SLACK_SIGNING_SECRET": workspace.signing_secret,
        "INTERACTIONS_PSEUDONYM_KEY": workspace.pseudonym_key,
        "INTERACTIONS_TABLE": table,
        "INTERACTIONS_QUEUE": queue,
        "SLACK_API_URL": slack.api_url,
        "SLACK_RESPONSE_URL_PREFIXES": slack.url + "/hooks/",
        "SLACK_BOT_TOKEN": workspace.bot_token,  # views open a modal, as in a real workspace
        "PYTHONUNBUFFERED": "1",  # a killed worker's last lines are in its log too
    }


@contextmanager
def stack(folder: Path) -> Iterator[Stack]:
    """Start everything, in order; stop it all on the way out, whatever happened."""
    logs = folder / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    storage = folder / "azurite"
    storage.mkdir(exist_ok=True)
    workspace = Workspace.fresh()
    with ExitStack() as cleanup:
        azurite = Azurite.on_free_ports(location=storage)
        cleanup.callback(azurite.stop)
        slack = SlackStandIn().start()
        cleanup.callback(slack.stop)
        table, queue = "prove" + secrets.token_hex(6), "prove-" + secrets.token_hex(6)
        env = app_env(workspace, azurite, slack, table, queue)
        config = ("--host-json", str(host_json(folder)))
        http = HostProcess("http", env, logs, ("--functions", HTTP_FUNCTIONS, *config))
        worker = HostProcess(
            "worker",
            env,
            logs,
            ("--functions", WORKER_FUNCTIONS, "--message-lease", str(WORKER_LEASE_SECONDS), *config),
        )
        cleanup.callback(worker.stop)
        cleanup.callback(http.stop)
        http.start()
        worker.start()
        yield Stack(folder, workspace, azurite, slack, http, worker, table, queue)
