"""The command line, ``python -m local.host``, and ``spawn``, which starts it as a process and returns once it
listens."""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO

from local.azurite import port_open
from local.host.errors import HostError
from local.host.server import REAL_HOST_LEASE_SECONDS, HostOptions, configure_logging, serve
from local.host.settings import ROOT
from testkit.waiting import WaitTimedOut, wait_until


def parser() -> argparse.ArgumentParser:
    from local import host  # the package, whose docstring opens with what --help says the host is

    parse = argparse.ArgumentParser(prog="python -m local.host", description=(host.__doc__ or "").split("\n\n")[0])
    parse.add_argument("--port", type=int, help="HTTP port (default: local.settings.json Host.LocalHttpPort, or 7071)")
    parse.add_argument("--script-root", type=Path, default=ROOT, help="function_app.py's folder (default: the project)")
    parse.add_argument("--host-json", type=Path, help="host.json to use instead of the script root's")
    parse.add_argument(
        "--functions",
        type=function_names,
        metavar="NAME[,NAME]",
        help="serve only these functions, by name (default: all of the app's)",
    )
    parse.add_argument(
        "--message-lease",
        type=float,
        default=REAL_HOST_LEASE_SECONDS,
        metavar="SECONDS",
        help="how long a taken queue message stays invisible while its function runs, renewed halfway "
        "(default: 600, as the real host)",
    )
    parse.add_argument(
        "--drain-seconds",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="on Ctrl-C or SIGTERM, how long running invocations may take to finish (default: 10)",
    )
    return parse


def options_from(args: argparse.Namespace) -> HostOptions:
    return HostOptions(
        script_root=args.script_root.resolve(),
        port=args.port,
        host_json=args.host_json.resolve() if args.host_json else None,
        message_lease=args.message_lease,
        drain_seconds=args.drain_seconds,
        functions=args.functions,
    )


def function_names(text: str) -> frozenset[str]:
    names = frozenset(name.strip() for name in text.split(",") if name.strip())
    if not names:
        raise argparse.ArgumentTypeError("name at least one function")
    return names


def spawn(
    port: int, args: Iterable[str], env: Mapping[str, str], output: IO[bytes], timeout: float = 30
) -> subprocess.Popen[bytes]:
    """``python -m local.host`` on ``port`` in a subprocess, returned once it listens: its port opens only
    after the app is indexed and every listener started. If it exits or is not listening by ``timeout``,
    it is killed and HostError says which."""
    process = subprocess.Popen(  # noqa: S603 - our own module, with our own arguments
        [sys.executable, "-m", "local.host", "--port", str(port), *args],
        cwd=ROOT,
        env=dict(env),
        stdout=output,
        stderr=subprocess.STDOUT,
    )

    def listening() -> bool:
        if process.poll() is not None:
            raise HostError("the host exited at start")
        return port_open(port)

    try:
        wait_until(listening, timeout, "the host listening")
    except (HostError, WaitTimedOut) as error:
        process.kill()
        process.wait()
        if isinstance(error, HostError):
            raise
        raise HostError(f"the host was not listening after {timeout} s") from error
    return process


def main(argv: list[str] | None = None) -> int:
    configure_logging()
    return serve(options_from(parser().parse_args(argv)))
