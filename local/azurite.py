"""Start Azurite (from node_modules, pinned by package-lock.json), in memory or on disk, and make its connection
string. Its telemetry is off: it would otherwise look up and call an Application Insights endpoint."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from testkit.waiting import WaitTimedOut, wait_until

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "devstoreaccount1"
# Azurite's well-known development key: public, and valid only against Azurite.
ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
DEFAULT_PORTS = (10000, 10001, 10002)


def connection_string(blob: int, queue: int, table: int, host: str = "127.0.0.1", scheme: str = "http") -> str:
    return (
        f"DefaultEndpointsProtocol={scheme};AccountName={ACCOUNT};AccountKey={ACCOUNT_KEY};"
        f"BlobEndpoint={scheme}://{host}:{blob}/{ACCOUNT};QueueEndpoint={scheme}://{host}:{queue}/{ACCOUNT};"
        f"TableEndpoint={scheme}://{host}:{table}/{ACCOUNT};"
    )


@dataclass(frozen=True)
class Tls:
    """A certificate for 127.0.0.1 and localhost, and its key, as PEM files. Self-signed: a client trusts it
    by naming ``certificate`` as its CA bundle (``REQUESTS_CA_BUNDLE`` for the Azure SDK)."""

    certificate: Path
    key: Path

    @classmethod
    def self_signed(cls, folder: Path) -> Tls:
        import ipaddress
        from datetime import UTC, datetime, timedelta

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
        now = datetime.now(UTC)
        names = [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        tls = cls(folder / "azurite-cert.pem", folder / "azurite-key.pem")
        tls.certificate.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        tls.key.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        return tls


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


SERVICES = ("blob", "queue", "table")
# What Azurite leaves in a data folder for the services kept in memory here: queues, whose messages hold user
# ids beside pseudonyms, must not outlive their processing on disk; an older run's are deleted at start.
NOT_KEPT = tuple(
    name
    for service in ("queue", "blob")
    for name in (f"__azurite_db_{service}__.json", f"__azurite_db_{service}_extent__.json", f"__{service}storage__")
)
# Azurite's table service writes what it holds to its folder every 5 seconds, and all of it when stopped.
SAVE_SECONDS = 5


@dataclass
class Azurite:
    """Azurite; ``ports`` are blob, queue, table. In memory, in one process, unless ``location`` names a folder
    (and ``keep_queues`` is off): then the table service runs alone, keeping its data there (a stop, which it
    answers by saving, and a start on the same port find the data again), and blob and queue run in
    memory in processes of their own, so that no queue message is ever written to disk. With ``tls`` it serves
    HTTPS, and with ``oauth`` it also takes bearer tokens (Azurite checks their issuer, audience and lifetime,
    not their signature; over HTTPS only)."""

    ports: tuple[int, int, int]
    location: Path | None = None
    # Queues too in ``location``, in one process, as Azure keeps them through an outage: for a harness that
    # stops storage and wants what was queued back, never for the data of a real workspace.
    keep_queues: bool = False
    tls: Tls | None = None
    oauth: bool = False
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)  # by the service(s) each serves

    @property
    def scheme(self) -> str:
        return "https" if self.tls is not None else "http"

    @property
    def connection_string(self) -> str:
        return connection_string(*self.ports, scheme=self.scheme)

    def service_uri(self, service: str) -> str:
        """The account's endpoint of one service ("blob", "queue" or "table"), as keyless settings name it."""
        port = self.ports[SERVICES.index(service)]
        return f"{self.scheme}://127.0.0.1:{port}/{ACCOUNT}"

    def start(self, timeout: float = 30) -> Azurite:
        """Start each process not running, and return once every port is open."""
        if not (ROOT / "node_modules" / ".bin" / "azurite").exists():
            raise AzuriteError("Azurite is not installed: run `npm ci` in the project folder (make does it).")
        commands = {name: command for name, command in self._commands().items() if name not in self.processes}
        ports = [port for name in commands for port in self._ports_of(name)]
        taken = [port for port in ports if port_open(port)]
        if taken:
            raise AzuriteError(f"Port(s) {', '.join(map(str, taken))} are in use: stop whatever holds them.")
        if self.location is not None and not self.keep_queues and "table" in commands:
            for leftover in NOT_KEPT:
                path = self.location / leftover
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
        if not getattr(self, "_workspace", None):
            self._workspace = tempfile.mkdtemp(prefix="azurite-")  # the processes' working folder, for debug files
        for name, command in commands.items():
            # A file, not a pipe: nobody reads a pipe while Azurite runs, and a full one would block it.
            with Path(self._workspace, f"{name}.log").open("wb") as stderr:
                self.processes[name] = subprocess.Popen(  # noqa: S603 - our own pinned executable
                    command,
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                    cwd=self._workspace,
                    start_new_session=True,  # Ctrl-C reaches the host first; Azurite outlives in-flight work
                )

        def listening() -> bool:
            for name in commands:
                if self.processes[name].poll() is not None:
                    errors = Path(self._workspace, f"{name}.log").read_text(errors="replace").strip()[-500:]
                    self.stop()
                    raise AzuriteError(f"Azurite exited at start: {errors}")
            return all(port_open(port) for port in ports)

        try:
            wait_until(listening, timeout, "Azurite opening its ports")
        except WaitTimedOut as error:
            self.stop()
            raise AzuriteError("Azurite did not open its ports in time.") from error
        return self

    def _ports_of(self, name: str) -> list[int]:
        return list(self.ports) if name == "all" else [self.ports[SERVICES.index(name)]]

    def _commands(self) -> dict[str, list[str]]:
        """The processes to run, by the services each serves: "all", or each service alone."""
        security = ["--cert", str(self.tls.certificate), "--key", str(self.tls.key)] if self.tls else []
        if self.oauth:
            security += ["--oauth", "basic"]
        common = [*security, "--disableTelemetry", "--skipApiVersionCheck", "--disableProductStyleUrl", "--silent"]
        listen = {
            service: [f"--{service}Host", "127.0.0.1", f"--{service}Port", str(port)]
            for service, port in zip(SERVICES, self.ports, strict=True)
        }
        bin_folder = ROOT / "node_modules" / ".bin"
        if self.location is None or self.keep_queues:
            every = [argument for service in SERVICES for argument in listen[service]]
            where = ["--inMemoryPersistence"] if self.location is None else ["--location", str(self.location)]
            return {"all": [str(bin_folder / "azurite"), *where, *common, *every]}
        kept = {"blob": ["--inMemoryPersistence"], "queue": ["--inMemoryPersistence"]}
        kept["table"] = ["--location", str(self.location)]
        return {
            service: [str(bin_folder / f"azurite-{service}"), *kept[service], *common, *listen[service]]
            for service in SERVICES
        }

    def exited(self) -> dict[str, int]:
        """The return code of each process that has exited, by the service(s) it served."""
        return {name: code for name, process in self.processes.items() if (code := process.poll()) is not None}

    def stop(self) -> None:
        """Stop each process as it saves its data (with ``location``) and exits; the data's folder is kept."""
        for name, process in self.processes.items():
            if process.poll() is None:  # a service run alone saves and exits on SIGINT only
                process.send_signal(signal.SIGTERM if name == "all" else signal.SIGINT)
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()
        if getattr(self, "_workspace", None):
            shutil.rmtree(self._workspace, ignore_errors=True)
            self._workspace = ""

    def restart(self, timeout: float = 30) -> Azurite:
        """Start again, on the same ports and with the same data folder, each process that has exited; the
        others keep running, and what they hold."""
        for name in self.exited():
            del self.processes[name]
        return self.start(timeout)

    @classmethod
    def on_free_ports(
        cls, location: Path | None = None, tls: Tls | None = None, oauth: bool = False, keep_queues: bool = False
    ) -> Azurite:
        ports = (free_port(), free_port(), free_port())
        return cls(ports, location=location, keep_queues=keep_queues, tls=tls, oauth=oauth).start()


def node_available() -> bool:
    return shutil.which("node") is not None or os.path.exists("/usr/bin/node")
