"""The world one harness run drives: Azurite keeping its data on disk (so that it can be stopped and started
again), the Slack stand-in, and the app in two local host processes, the HTTP front and the queue worker, so
that the worker can be killed while the front keeps acknowledging. Every process writes its log to a file in
the run's folder, for the privacy check at the end."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import TableClient, TableServiceClient
from azure.storage.queue import QueueClient, QueueServiceClient

from local.azurite import Azurite
from local.host_process import HostProcess, host_json
from local.slack_standin import SlackStandIn
from testkit.app_settings import app_settings

ROOT = Path(__file__).resolve().parent.parent
HTTP_FUNCTIONS = "slack_commands,slack_interactions,slack_events"
WORKER_FUNCTIONS = "process_queued_message,report_failed_message"
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

    def form_fields(self) -> dict[str, str]:
        """What Slack's slash command form says of this workspace."""
        return {
            "token": self.verification_token,
            "team_domain": self.team_domain,
            "channel_id": self.channel_id,
            "channel_name": self.channel_name,
            "api_app_id": self.api_app_id,
        }

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
        """Every entry in the app's table: the rows that name a Person, less the copies kept for each person
        (their RowKeys start with a letter, an entry's with a digit); the privacy check reads the rest."""
        try:
            rows = self.table().list_entities()
            return [dict(entity) for entity in rows if "Person" in entity and entity["RowKey"][0].isdigit()]
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


def app_env(workspace: Workspace, azurite: Azurite, slack: SlackStandIn, table: str, queue: str) -> dict[str, str]:
    """The app's settings; the environment wins over local.settings.json in the local host."""
    settings = app_settings(
        azurite.connection_string,
        slack,
        signing_secret=workspace.signing_secret,
        pseudonym_key=workspace.pseudonym_key,
        queue=queue,
        table=table,
        bot_token=workspace.bot_token,  # views open a modal, as in a real workspace
    )
    return {**os.environ, **settings, "PYTHONUNBUFFERED": "1"}  # a killed worker's last lines are in its log too


@contextmanager
def stack(folder: Path) -> Iterator[Stack]:
    """Start everything, in order; stop it all on the way out, whatever happened."""
    logs = folder / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    storage = folder / "azurite"
    storage.mkdir(exist_ok=True)
    workspace = Workspace.fresh()
    with ExitStack() as cleanup:
        azurite = Azurite.on_free_ports(location=storage, keep_queues=True)
        cleanup.callback(azurite.stop)
        slack = SlackStandIn().start()
        cleanup.callback(slack.stop)
        table, queue = "prove" + secrets.token_hex(6), "prove-" + secrets.token_hex(6)
        env = app_env(workspace, azurite, slack, table, queue)
        config = ("--host-json", str(host_json(folder, visibilityTimeout=RETRY_DELAY)))
        http = HostProcess(env, logs, ("--functions", HTTP_FUNCTIONS, *config), name="http")
        worker = HostProcess(
            env,
            logs,
            ("--functions", WORKER_FUNCTIONS, "--message-lease", str(WORKER_LEASE_SECONDS), *config),
            name="worker",
        )
        cleanup.callback(worker.stop)
        cleanup.callback(http.stop)
        http.start()
        worker.start()
        yield Stack(folder, workspace, azurite, slack, http, worker, table, queue)
