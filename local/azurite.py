"""Start Azurite (from node_modules, pinned by package-lock.json), in memory or on disk, and make its connection
string. Its telemetry is off: it would otherwise look up and call an Application Insights endpoint."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "devstoreaccount1"
# Azurite's well-known development key: public, and valid only against Azurite.
ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
DEFAULT_PORTS = (10000, 10001, 10002)


def connection_string(blob: int, queue: int, table: int, host: str = "127.0.0.1") -> str:
    return (
        f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={ACCOUNT_KEY};"
        f"BlobEndpoint=http://{host}:{blob}/{ACCOUNT};QueueEndpoint=http://{host}:{queue}/{ACCOUNT};"
        f"TableEndpoint=http://{host}:{table}/{ACCOUNT};"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


class AzuriteError(RuntimeError):
    pass


@dataclass
class Azurite:
    """One Azurite process; ``ports`` are blob, queue, table. In memory, unless ``location`` names a folder
    to keep the data in: then a stop (SIGTERM, which Azurite answers by saving) and a start on the same
    ports find the data again."""

    ports: tuple[int, int, int]
    process: subprocess.Popen[bytes] | None = None
    location: Path | None = None

    @property
    def connection_string(self) -> str:
        return connection_string(*self.ports)

    def start(self, timeout: float = 30) -> Azurite:
        executable = ROOT / "node_modules" / ".bin" / "azurite"
        if not executable.exists():
            raise AzuriteError("Azurite is not installed: run `npm ci` in the project folder (make does it).")
        taken = [port for port in self.ports if port_open(port)]
        if taken:
            raise AzuriteError(f"Port(s) {', '.join(map(str, taken))} are in use: stop whatever holds them.")
        workspace = tempfile.mkdtemp(prefix="azurite-")  # its working folder, for any debug file
        errors = Path(workspace, "stderr.log")
        # A file, not a pipe: nobody reads a pipe while Azurite runs, and a full one would block it.
        with errors.open("wb") as stderr:
            self.process = subprocess.Popen(  # noqa: S603 - our own pinned executable
                [str(executable), *self._arguments()],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                cwd=workspace,
                start_new_session=True,  # Ctrl-C reaches the host first; Azurite outlives in-flight work, then stops
            )
        self._workspace = workspace
        deadline = time.monotonic() + timeout
        while not all(port_open(port) for port in self.ports):
            if self.process.poll() is not None:
                raise AzuriteError(f"Azurite exited at start: {errors.read_text(errors='replace').strip()[-500:]}")
            if time.monotonic() > deadline:
                self.stop()
                raise AzuriteError("Azurite did not open its ports in time.")
            time.sleep(0.05)
        return self

    def _arguments(self) -> list[str]:
        blob, queue, table = self.ports
        storage = ["--location", str(self.location)] if self.location is not None else ["--inMemoryPersistence"]
        return [
            *storage,
            "--disableTelemetry",
            "--skipApiVersionCheck",
            "--disableProductStyleUrl",
            "--silent",
            *("--blobHost", "127.0.0.1", "--blobPort", str(blob)),
            *("--queueHost", "127.0.0.1", "--queuePort", str(queue)),
            *("--tableHost", "127.0.0.1", "--tablePort", str(table)),
        ]

    def stop(self) -> None:
        """SIGTERM, on which Azurite saves its data (with ``location``) and exits; the data's folder is kept."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "_workspace", None):
            shutil.rmtree(self._workspace, ignore_errors=True)

    @classmethod
    def on_free_ports(cls, location: Path | None = None) -> Azurite:
        return cls((free_port(), free_port(), free_port()), location=location).start()


def node_available() -> bool:
    return shutil.which("node") is not None or os.path.exists("/usr/bin/node")
