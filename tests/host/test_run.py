"""`make run` and `make try` together: storage, the Slack stand-in and the host from one command, on the
ports the settings name (free ones here, so two runs on one machine don't collide), Azurite's data in a
folder of the test's own instead of the project's `.azurite/`."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from interactions import settings as setting
from interactions.storage_account import CONNECTION
from local.azurite import connection_string, free_port, port_open
from testkit.waiting import wait_until
from tests.conftest import PSEUDONYM_KEY, SIGNING_SECRET
from tests.host.conftest import ROOT, new_user

pytestmark = pytest.mark.e2e
MAKE = shutil.which("make") or "make"


def run_env(storage: str) -> dict[str, str]:
    return {
        **os.environ,
        CONNECTION: storage,
        setting.SIGNING_SECRET: SIGNING_SECRET,
        setting.PSEUDONYM_KEY: PSEUDONYM_KEY,
        setting.BOT_TOKEN: "xoxb-test-token",
    }


def wait_until_open(port: int, process: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> None:
    def listening() -> bool:
        assert process.poll() is None, log.read_text()
        return port_open(port)

    wait_until(listening, timeout, f"`make run` listening on port {port}", seen=log.read_text)


@dataclass
class Run:
    """``python -m local.run`` in its own process, as `make run` starts it, on ports of its own."""

    env: dict[str, str]
    port: int
    slack_port: int
    storage: tuple[int, int, int]
    args: tuple[str, ...]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @classmethod
    def on_free_ports(cls, log: Path, *args: str) -> Run:
        blob, queue, table, port, slack_port = (free_port() for _ in range(5))
        return cls(run_env(connection_string(blob, queue, table)), port, slack_port, (blob, queue, table), args, log)

    @property
    def command(self) -> list[str]:
        ports = ("--port", str(self.port), "--slack-port", str(self.slack_port))
        return [sys.executable, "-m", "local.run", *ports, *self.args]

    def start(self) -> Run:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        wait_until_open(self.port, self.process, self.log)
        return self

    def stop(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(20)
        finally:
            self.process.kill()
            self.process.wait()

    @property
    def printed(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, text: str, timeout: float = 15) -> str:
        """Everything printed, once ``text`` is in it."""

        def printed() -> str | None:
            out = self.printed
            return out if text in out else None

        return wait_until(printed, timeout, f"{text!r} printed")

    def try_command(self, user: str, text: str) -> str:
        """What `make try` prints for ``text`` typed by ``user``, and what it said on stderr."""
        tried = subprocess.run(
            [sys.executable, "-m", "local.act", "try", "--user", user, *self.try_args, "--", text],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        return tried.stdout + tried.stderr

    @property
    def try_args(self) -> list[str]:
        return ["--app-url", f"http://localhost:{self.port}/api/slack/commands", "--slack-url", self.slack_url]

    @property
    def slack_url(self) -> str:
        return f"http://127.0.0.1:{self.slack_port}"


def test_make_run_serves_the_app_and_make_try_shows_the_answer(tmp_path: Path) -> None:
    run = Run.on_free_ports(tmp_path / "run.log", "--in-memory").start()
    try:
        shown = run.try_command(new_user(), "@U0DON + Random Guy -")
        assert "Got it! You're 50% for positive interactions" in shown, shown + run.printed
    finally:
        assert run.stop() == 0
    blob, queue, _ = run.storage
    assert f"Azurite in memory: blob 127.0.0.1:{blob}, queue 127.0.0.1:{queue}" in run.printed
    assert f"Slack stand-in: {run.slack_url}" in run.printed
    assert f"slack_commands: [POST] http://localhost:{run.port}/api/slack/commands" in run.printed
    timer = "expire_old_entries: timerTrigger '0 30 3 * * *', not on its schedule here: `make expire` runs it once, now"
    assert timer in run.printed
    depth = (
        "report_queue_depth: timerTrigger '0 */5 * * * *', not on its schedule here: the local host does not run "
        "timers (on Azure it logs how many messages wait in the poison queues, for the alert on them)"
    )
    assert depth in run.printed
    assert "ERROR" not in run.printed  # a first run that looks healthy
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


def test_make_run_starts_azurite_on_the_ports_it_is_given(tmp_path: Path) -> None:
    blob, queue, table = (free_port() for _ in range(3))
    run = Run.on_free_ports(tmp_path / "run.log", "--in-memory", "--storage-ports", f"{blob},{queue},{table}")
    run.env["AzureWebJobsStorage"] = "UseDevelopmentStorage=true"  # the default ports, not those given
    run.start()
    try:
        assert "Got it!" in run.try_command(new_user(), "Random Guy +"), run.printed[-3000:]
    finally:
        assert run.stop() == 0
    assert f"Azurite in memory: blob 127.0.0.1:{blob}, queue 127.0.0.1:{queue}, table 127.0.0.1:{table}" in run.printed


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


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    folder = tmp_path_factory.mktemp("run")
    run = Run.on_free_ports(folder / "run.log", "--azurite-folder", str(folder / "azurite")).start()
    yield run
    run.stop()


def test_a_second_make_run_says_where_the_app_already_runs_and_starts_nothing(running: Run) -> None:
    second = subprocess.run(
        running.command, cwd=ROOT, env=running.env, capture_output=True, text=True, timeout=30, check=False
    )

    assert second.returncode == 1, second.stdout + second.stderr
    assert "The app is already running on this machine" in second.stderr
    assert f"the functions at http://localhost:{running.port}/api/" in second.stderr
    assert f"the Slack stand-in at {running.slack_url}" in second.stderr
    assert "Storage:" not in second.stdout  # nothing was started, not even looked for
    assert running.process is not None and running.process.poll() is None


def make_try(running: Run, tmp_path: Path, *words: str) -> subprocess.CompletedProcess[str]:
    """`make try` as typed, against ``running``. The venv make would set up is a stand-in already set up,
    so that make never installs anything here."""
    venv = tmp_path / "venv"
    venv.mkdir(exist_ok=True)
    (venv / ".installed").touch()
    env = {name: value for name, value in running.env.items() if not name.startswith(("MAKE", "MFLAGS"))}
    overrides = [f"VENV={venv}", f"PY={sys.executable}", "ARGS=" + " ".join(running.try_args)]
    return subprocess.run(
        [MAKE, "--no-print-directory", "try", *words, *overrides],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_make_try_takes_the_words_after_try_as_the_text(running: Run, tmp_path: Path) -> None:
    user = new_user()
    tried = make_try(running, tmp_path, "@U0DON", "+", "@U0MAELLE", "+", "Random", "Guy", "-", f"USER={user}")

    shown = tried.stdout + tried.stderr
    assert tried.returncode == 0, shown
    assert f"{user} typed: /interactions @U0DON + @U0MAELLE + Random Guy -" in tried.stdout, shown  # make's `-` too
    assert "Got it! You're 67% for positive interactions" in tried.stdout, shown
    assert "No rule to make target" not in shown
    assert "is up to date" not in shown  # a word typed twice is not a target built twice

    quoted = make_try(running, tmp_path, 'TEXT="Tom $HOME" + `Jerry` -', f"USER={user}")  # as it was

    assert quoted.returncode == 0, quoted.stdout + quoted.stderr
    assert f'{user} typed: /interactions "Tom $HOME" + `Jerry` -' in quoted.stdout
    assert "Tom $HOME +" in quoted.stdout, quoted.stdout


def test_make_try_prints_what_a_person_reads(running: Run) -> None:
    user = new_user()
    assert "Got it!" in running.try_command(user, "@U0DON + Random Guy -")

    shown = running.try_command(user, "30 person")

    body = shown[shown.index("Modal:") :]
    assert "@U0DON" in body and "Random Guy" in body, shown
    assert not re.search(r"[*_~`]", body), shown  # Slack shows formatting, not its marks
    assert re.search(r"last (today|yesterday)", body, re.IGNORECASE), shown  # a date only: no time, no fallback
    assert not re.search(r"\d:\d\d|UTC", body), shown


def azurite_pid(port: int, service: str = "queue") -> int:
    """The Azurite that `make run` started: the one process serving ``service`` on ``port``."""
    wanted = f"--{service}Port\0{port}\0".encode()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if wanted in cmdline.read_bytes():
                return int(cmdline.parent.name)
        except OSError:
            continue  # a process that ended meanwhile
    raise AssertionError(f"no Azurite serves the {service} on {port}")


def test_make_run_starts_azurite_again_when_it_dies(running: Run) -> None:
    user = new_user()
    assert "Got it!" in running.try_command(user, "Before Crash +")
    first = azurite_pid(running.storage[1])

    os.kill(first, signal.SIGKILL)

    printed = running.wait_for("Azurite exited (code -9); restarting it")
    assert printed.count("Azurite exited") == 1, printed
    wait_until(lambda: port_open(running.storage[1]), 30, "Azurite serving the queue again", every=0.1)
    assert azurite_pid(running.storage[1]) != first
    assert "Got it!" in running.try_command(user, "After Crash +"), running.printed[-3000:]


def test_make_run_says_a_killed_table_service_loses_its_last_seconds_and_serves_again(running: Run) -> None:
    user = new_user()
    assert "Got it!" in running.try_command(user, "Before Kill +")
    first = azurite_pid(running.storage[2], "table")

    os.kill(first, signal.SIGKILL)

    printed = running.wait_for("so what it took in its last 5 seconds is lost")
    assert "Azurite exited (code -9); restarting it; it was killed, not stopped" in printed, printed
    wait_until(lambda: port_open(running.storage[2]), 30, "Azurite serving the table again", every=0.1)
    assert azurite_pid(running.storage[2], "table") != first
    assert "Got it!" in running.try_command(user, "After Kill +"), running.printed[-3000:]


def test_make_run_keeps_the_logs_in_its_folder_from_one_run_to_the_next(tmp_path: Path) -> None:
    folder = tmp_path / "azurite"
    (folder / "__queuestorage__").mkdir(parents=True)  # as an older make run left its queues
    (folder / "__azurite_db_queue__.json").write_text("{}")
    run = Run.on_free_ports(tmp_path / "run.log", "--azurite-folder", str(folder)).start()
    user = new_user()
    try:
        assert "Got it!" in run.try_command(user, "Kept Across Runs +"), run.printed[-3000:]
    finally:
        assert run.stop() == 0

    kept = sorted(path.name for path in folder.iterdir())
    assert "__azurite_db_table__.json" in kept
    assert not [name for name in kept if "queue" in name or "blob" in name], kept  # no message outlives its run

    assert "Azurite keeping its tables in " + str(tmp_path / "azurite") + " (queues in memory)" in run.printed
    again = run.start()
    try:
        shown = again.try_command(user, "")
    finally:
        assert again.stop() == 0
    assert "Kept Across Runs" in shown, shown + again.printed[-3000:]
