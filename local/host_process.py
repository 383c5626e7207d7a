"""The local Functions host as a developer runs it: ``python -m local.host`` in its own process, on a free
port, with the app's settings in its environment (the environment wins over local.settings files). Each
start logs to a file of its own in ``logs``, so that a restarted host keeps what the earlier one said."""

from __future__ import annotations

import json
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local.azurite import free_port
from local.host import ROOT, HostError, spawn
from testkit.waiting import wait_until


@dataclass
class HostProcess:
    env: dict[str, str]
    logs: Path  # a folder
    args: tuple[str, ...] = ()
    name: str = "host"
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def start(self, timeout: float = 30) -> HostProcess:
        self.starts += 1
        self.logs.mkdir(parents=True, exist_ok=True)
        with self.log_file(self.starts).open("wb") as output:
            try:
                self.process = spawn(self.port, self.args, self.env, output, timeout)
            except HostError as error:
                raise RuntimeError(f"The {self.name} host did not start ({error}):\n{self.tail()}") from error
        return self

    def log_file(self, start: int) -> Path:
        return self.logs / f"{self.name}-{start}.log"

    @property
    def log(self) -> str:
        """Everything every start of this host has logged so far."""
        files = (self.log_file(n) for n in range(1, self.starts + 1))
        return "".join(path.read_text(errors="replace") for path in files if path.exists())

    def wait_for_log(self, text: str, count: int = 1, timeout: float = 10) -> str:
        """Everything logged so far, once ``text`` is in it ``count`` times; WaitTimedOut if it is not in time."""

        def logged() -> str | None:
            log = self.log
            return log if log.count(text) >= count else None

        return wait_until(logged, timeout, f"{text!r} logged {count} times by the {self.name} host", seen=self.tail)

    def tail(self) -> str:
        return self.log[-3000:]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def signal(self, signum: int) -> None:
        if self.process is None:
            raise RuntimeError(f"the {self.name} host was never started")
        self.process.send_signal(signum)

    def stop(self, timeout: float = 20) -> int | None:
        """SIGTERM, as the Functions host gets on a scale-in; SIGKILL if it outstays ``timeout``."""
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self) -> None:
        """SIGKILL: no drain, no cleanup, as a crashed or evicted worker."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def host_json(folder: Path, **queues: Any) -> Path:
    """The project's host.json with some ``extensions.queues`` settings changed (for one, a faster
    ``maxPollingInterval`` so that tests don't wait), written into ``folder``."""
    config = json.loads((ROOT / "host.json").read_text(encoding="utf-8"))
    config["extensions"]["queues"].update(queues)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "host.json"
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    return path
