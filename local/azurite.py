"""Start Azurite (from node_modules, pinned by package-lock.json), in memory or on disk, and make its connection
string. Its telemetry is off: it would otherwise look up and call an Application Insights endpoint."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
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


@dataclass
class Azurite:
    """One Azurite process; ``ports`` are blob, queue, table. In memory, unless ``location`` names a folder
    to keep the data in: then a stop (SIGTERM, which Azurite answers by saving) and a start on the same
    ports find the data again. With ``tls`` it serves HTTPS, and with ``oauth`` it also takes bearer tokens
    (Azurite checks their issuer, audience and lifetime, not their signature; over HTTPS only)."""

    ports: tuple[int, int, int]
    process: subprocess.Popen[bytes] | None = None
    location: Path | None = None
    tls: Tls | None = None
    oauth: bool = False

    @property
    def scheme(self) -> str:
        return "https" if self.tls is not None else "http"

    @property
    def connection_string(self) -> str:
        return connection_string(*self.ports, scheme=self.scheme)

    def service_uri(self, service: str) -> str:
        """The account's endpoint of one service ("blob", "queue" or "table"), as keyless settings name it."""
        port = self.ports[("blob", "queue", "table").index(service)]
        return f"{self.scheme}://127.0.0.1:{port}/{ACCOUNT}"

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
        process = self.process

        def listening() -> bool:
            if process.poll() is not None:
                raise AzuriteError(f"Azurite exited at start: {errors.read_text(errors='replace').strip()[-500:]}")
            return all(port_open(port) for port in self.ports)

        try:
            wait_until(listening, timeout, "Azurite opening its ports")
        except WaitTimedOut as error:
            self.stop()
            raise AzuriteError("Azurite did not open its ports in time.") from error
        return self

    def _arguments(self) -> list[str]:
        blob, queue, table = self.ports
        storage = ["--location", str(self.location)] if self.location is not None else ["--inMemoryPersistence"]
        security = ["--cert", str(self.tls.certificate), "--key", str(self.tls.key)] if self.tls else []
        if self.oauth:
            security += ["--oauth", "basic"]
        return [
            *storage,
            *security,
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

    def restart(self, timeout: float = 30) -> Azurite:
        """Start again, on the same ports and with the same data folder, once the process has exited."""
        self.stop()  # nothing left to stop but the working folder of the process that exited
        return self.start(timeout)

    @classmethod
    def on_free_ports(cls, location: Path | None = None, tls: Tls | None = None, oauth: bool = False) -> Azurite:
        return cls((free_port(), free_port(), free_port()), location=location, tls=tls, oauth=oauth).start()


def node_available() -> bool:
    return shutil.which("node") is not None or os.path.exists("/usr/bin/node")
