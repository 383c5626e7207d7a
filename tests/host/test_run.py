"""`make run` and `make try` together: storage, the Slack stand-in and the host from one command, on the
ports the settings name (free ones here, so two runs on one machine don't collide)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from local.azurite import connection_string, free_port, port_open
from tests.conftest import PSEUDONYM_KEY, SIGNING_SECRET
from tests.host.conftest import ROOT, new_user

pytestmark = pytest.mark.e2e


def run_env(storage: str) -> dict[str, str]:
    return {
        **os.environ,
        "AzureWebJobsStorage": storage,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "INTERACTIONS_PSEUDONYM_KEY": PSEUDONYM_KEY,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
    }


def wait_until_open(port: int, process: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not port_open(port):
        assert process.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.05)


def test_make_run_serves_the_app_and_make_try_shows_the_answer(tmp_path: Path) -> None:
    blob, queue, table, port, slack_port = (free_port() for _ in range(5))
    env = run_env(connection_string(blob, queue, table))
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        run = subprocess.Popen(
            [sys.executable, "-m", "local.run", "--port", str(port), "--slack-port", str(slack_port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_open(port, run, log)
        tried = subprocess.run(
            [
                sys.executable,
                "-m",
                "local.try_command",
                "--user",
                new_user(),
                "--app-url",
                f"http://localhost:{port}/api/slack/commands",
                "--slack-url",
                f"http://127.0.0.1:{slack_port}",
                "--",
                "@U0DON + Random Guy -",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        shown = tried.stdout + tried.stderr
        assert "Got it! You're 50% for positive interactions" in tried.stdout, shown + log.read_text()
        run.send_signal(signal.SIGINT)
        assert run.wait(20) == 0
    finally:
        run.kill()
        run.wait()
    printed = log.read_text()
    assert f"Azurite in memory: blob 127.0.0.1:{blob}, queue 127.0.0.1:{queue}" in printed
    assert f"Slack stand-in: http://127.0.0.1:{slack_port}" in printed
    assert f"slack_commands: [POST] http://localhost:{port}/api/slack/commands" in printed
    assert not port_open(queue)  # Azurite went with it


@contextmanager
def not_storage() -> Iterator[int]:
    """A port held by an HTTP server that is not Azure Storage."""

    class Refuse(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_error(418)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Refuse)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def test_make_run_says_so_when_the_storage_port_holds_something_else() -> None:
    with not_storage() as taken:
        result = subprocess.run(
            [sys.executable, "-m", "local.run", "--port", str(free_port()), "--slack-port", str(free_port())],
            cwd=ROOT,
            env=run_env(connection_string(free_port(), taken, free_port())),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    assert result.returncode == 1
    assert f"Something that is not Azure Storage holds 127.0.0.1:{taken}" in result.stderr
