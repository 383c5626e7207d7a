"""Runners of the deploy plan: one runs the commands, one prints them. Secrets never reach the output, nor
any command line: a secret argument is the path of a file that holds it, there only while its command runs."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TextIO


@dataclass(frozen=True)
class Secret:
    """An argument that is a file holding ``value``, readable by this user only and removed once the command
    has run; ``shown`` is printed in its place."""

    shown: str
    value: str = field(repr=False)


Arg = str | Secret


def shown(argv: Sequence[Arg]) -> str:
    """The command as printed: shlex-quoted, so ``shlex.split`` gives back the argv, with secrets hidden."""
    return shlex.join(a.shown if isinstance(a, Secret) else a for a in argv)


@contextmanager
def real(argv: Sequence[Arg]) -> Iterator[list[str]]:
    """The argv to run: each secret written to its own file, and the files removed afterwards."""
    if not any(isinstance(a, Secret) for a in argv):
        yield [a for a in argv if isinstance(a, str)]
        return
    with tempfile.TemporaryDirectory(prefix="deploy-") as folder:
        words: list[str] = []
        for index, arg in enumerate(argv):
            if isinstance(arg, str):
                words.append(arg)
                continue
            path = Path(folder) / f"secret-{index}"
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                file.write(arg.value)
            words.append(str(path))
        yield words


class DeployError(Exception):
    """The deploy cannot go on; the message says why and what to do."""


class CommandFailed(DeployError):
    def __init__(self, command: str, returncode: int, stderr: str) -> None:
        super().__init__(f"command failed (exit {returncode}): {command}\n{stderr.strip()}")
        self.command = command
        self.returncode = returncode
        self.stderr = stderr


class Runner(Protocol):
    dry: bool

    def run(self, argv: Sequence[Arg], *, dry_result: str = "") -> str:
        """Run a command that must succeed; its stripped stdout. A dry run answers ``dry_result``."""

    def find(self, argv: Sequence[Arg], *, dry_result: str | None = None) -> str | None:
        """Run a ``show`` that may find nothing: its stdout, or None when the resource does not exist. A dry
        run answers ``dry_result``: None, as on a fresh subscription, unless a placeholder is given."""

    def publish(self, argv: Sequence[Arg]) -> None:
        """Run a long command with its output shown as it comes (it carries no secret); a failure raises
        ``CommandFailed`` holding the end of that output."""

    def pause(self, seconds: float) -> None:
        """Wait between two looks at something Azure does slowly; a dry run does not wait."""


@dataclass
class DryRunner:
    """Prints each command, one a line, and runs nothing."""

    out: TextIO = field(default_factory=lambda: sys.stdout)
    dry: bool = True
    commands: list[str] = field(default_factory=list)

    def _print(self, argv: Sequence[Arg]) -> None:
        line = shown(argv)
        self.commands.append(line)
        print(line, file=self.out, flush=True)

    def run(self, argv: Sequence[Arg], *, dry_result: str = "") -> str:
        self._print(argv)
        return dry_result

    def find(self, argv: Sequence[Arg], *, dry_result: str | None = None) -> str | None:
        self._print(argv)
        return dry_result

    def publish(self, argv: Sequence[Arg]) -> None:
        self._print(argv)

    def pause(self, seconds: float) -> None:
        return None


# A missing resource: exit code 3 is the CLI's ResourceNotFoundError; some commands (the raw REST calls of
# Flex apps among them) report a 404 as a generic error with one of these phrases.
_NOT_FOUND = ("ResourceNotFound", "ResourceGroupNotFound", "was not found", "could not be found")
NOT_FOUND_EXIT_CODE = 3


def is_not_found(returncode: int, stderr: str) -> bool:
    return returncode == NOT_FOUND_EXIT_CODE or any(phrase in stderr for phrase in _NOT_FOUND)


@dataclass
class SubprocessRunner:
    """Runs the commands, echoing each (secrets hidden) to ``log``; output is captured, never echoed, since
    some of it (``appsettings list``) holds secrets."""

    log: TextIO = field(default_factory=lambda: sys.stderr)
    dry: bool = False
    _secrets: set[str] = field(default_factory=set)

    def _scrub(self, text: str) -> str:
        for value in self._secrets:
            text = text.replace(value, "<secret>")
        return text

    def _exec(self, argv: Sequence[Arg]) -> tuple[str, subprocess.CompletedProcess[str]]:
        self._secrets.update(a.value for a in argv if isinstance(a, Secret) and a.value)
        command = shown(argv)
        print(f"+ {command}", file=self.log, flush=True)
        with real(argv) as words:
            done = subprocess.run(words, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
        self._secrets.update(line.strip() for line in done.stdout.splitlines() if self._reads_secret(argv))
        return command, done

    @staticmethod
    def _reads_secret(argv: Sequence[Arg]) -> bool:
        """A command whose answer is a secret (a secret's value, an access token): kept out of any error or
        warning shown later."""
        return list(argv[:4]) in (["az", "keyvault", "secret", "show"], ["az", "account", "get-access-token"])

    def run(self, argv: Sequence[Arg], *, dry_result: str = "") -> str:
        command, done = self._exec(argv)
        if done.returncode != 0:
            raise CommandFailed(command, done.returncode, self._scrub(done.stderr))
        self._relay_warnings(done.stderr)
        return done.stdout.strip()

    def find(self, argv: Sequence[Arg], *, dry_result: str | None = None) -> str | None:
        command, done = self._exec(argv)
        if done.returncode != 0:
            if is_not_found(done.returncode, done.stderr):
                return None
            raise CommandFailed(command, done.returncode, self._scrub(done.stderr))
        self._relay_warnings(done.stderr)
        return done.stdout.strip()

    def publish(self, argv: Sequence[Arg]) -> None:
        command = shown(argv)
        print(f"+ {command}", file=self.log, flush=True)
        output: list[str] = []
        with real(argv) as words:
            with subprocess.Popen(
                words, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            ) as process:
                for line in process.stdout or ():
                    print(line, end="", file=sys.stdout, flush=True)
                    output.append(line)
        if process.returncode != 0:
            # Its output was shown as it came; the failure keeps it, so the caller can tell why.
            raise CommandFailed(command, process.returncode, "".join(output[-50:]))

    def pause(self, seconds: float) -> None:
        time.sleep(seconds)

    def _relay_warnings(self, stderr: str) -> None:
        if stderr.strip():
            print(self._scrub(stderr.rstrip()), file=self.log, flush=True)
