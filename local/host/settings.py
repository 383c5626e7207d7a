"""Settings as the app sees them: the environment, then ``local.settings.json`` ``Values``, then
``local.settings.json.example``; ``%SETTING%`` placeholders in bindings; the storage account a binding's
``connection`` names."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from interactions.storage_account import CONNECTION, StorageAccount, StorageNotConfigured
from local.host.errors import HostError

ROOT = Path(__file__).resolve().parents[2]  # the project, whose function_app.py is served by default
SETTINGS_FILES = ("local.settings.json", "local.settings.json.example")  # the first one naming a setting wins


def file_settings(script_root: Path) -> dict[str, str]:
    """The ``Values`` of the settings files, the first file that names a setting winning."""
    values: dict[str, str] = {}
    for name in reversed(SETTINGS_FILES):
        values.update({key: "" if v is None else str(v) for key, v in _settings_file(script_root / name).items()})
    return values


def resolved_settings(script_root: Path, environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """Every setting as the app will see it: the environment wins over the files."""
    return {**file_settings(script_root), **environ}


def apply_settings(script_root: Path) -> None:
    for name, value in file_settings(script_root).items():
        os.environ.setdefault(name, value)


def local_http_port(script_root: Path) -> int | None:
    """``Host.LocalHttpPort`` from the settings files, which ``func start`` honours too."""
    for name in SETTINGS_FILES:
        port = (read_json(script_root / name).get("Host") or {}).get("LocalHttpPort")
        if port:
            return int(port)
    return None


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object from ``path``; empty when there is no such file."""
    if not path.exists():
        return {}
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except ValueError as error:
        raise HostError(f"{path} is not valid JSON: {error}.") from error


def _settings_file(path: Path) -> dict[str, Any]:
    data = read_json(path)
    if data.get("IsEncrypted"):
        raise HostError(f"{path.name} is encrypted; decrypt it (func settings decrypt) or set IsEncrypted to false.")
    return dict(data.get("Values") or {})


def resolve(text: str) -> str:
    """Replace ``%SETTING%`` placeholders, as the host does in binding properties such as queueName."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if not os.environ.get(name):
            raise HostError(f"'%{name}%' does not resolve to a value: set {name} in local.settings.json or the env.")
        return os.environ[name]

    return re.sub(r"%([^%]+)%", value, text)


def storage_account(connection: str | None) -> StorageAccount:
    """The storage account a binding's ``connection`` names (``AzureWebJobsStorage`` when empty): a connection
    string, or identity-based ``<name>__...`` settings, as the real host reads them."""
    name = connection or CONNECTION
    for candidate in (name, f"AzureWebJobs{name}"):
        if os.environ.get(candidate) or any(key.startswith(f"{candidate}__") for key in os.environ):
            try:
                return StorageAccount.from_settings(os.environ, candidate)
            except StorageNotConfigured as error:
                raise HostError(f"connection {candidate}: {error}") from error
    raise HostError(f"connection setting {name} is missing: set it in local.settings.json or the environment.")
