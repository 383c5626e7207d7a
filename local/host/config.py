"""host.json: the route prefix, the log level, and ``extensions.queues`` with the Storage extension's
defaults."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local.host.errors import HostError
from local.host.settings import read_json

MIN_POLLING_INTERVAL = 0.1  # the real host's QueuePollingIntervals.Minimum
MAX_BATCH_SIZE = 32  # what one Get Messages call may return

_TIMESPAN = re.compile(r"(?:(\d+)\.)?(\d+):(\d+):(\d+(?:\.\d+)?)")
_LOG_LEVELS = {
    "trace": logging.DEBUG,
    "debug": logging.DEBUG,
    "information": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "critical": logging.CRITICAL,
    "none": logging.CRITICAL + 10,
}


def timespan(text: str) -> float:
    """Seconds in a .NET TimeSpan as host.json writes them: ``[d.]hh:mm:ss[.fff]``."""
    match = _TIMESPAN.fullmatch(str(text).strip())
    if match is None:
        raise HostError(f"host.json: {text!r} is not a time span like 00:00:10.")
    days, hours, minutes, seconds = match.groups()
    return int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + float(seconds)


@dataclass(frozen=True)
class QueueOptions:
    """host.json ``extensions.queues``, with the Storage extension's defaults."""

    batch_size: int = 16
    new_batch_threshold: int = 8
    max_polling_interval: float = 60.0
    visibility_timeout: float = 0.0  # how long a failed message waits before it is tried again
    max_dequeue_count: int = 5
    message_encoding: str = "base64"

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> QueueOptions:
        batch_size = int(section.get("batchSize", 16))
        if not 1 <= batch_size <= MAX_BATCH_SIZE:
            raise HostError(f"host.json: extensions.queues.batchSize must be from 1 to {MAX_BATCH_SIZE}.")
        threshold = section.get("newBatchThreshold")
        encoding = str(section.get("messageEncoding", "base64")).lower()
        if encoding not in ("base64", "none"):
            raise HostError('host.json: extensions.queues.messageEncoding must be "base64" or "none".')
        max_dequeue_count = int(section.get("maxDequeueCount", 5))
        if max_dequeue_count < 1:
            raise HostError("host.json: extensions.queues.maxDequeueCount must be at least 1.")
        return cls(
            batch_size=batch_size,
            # The extension's default is half a batch per processor.
            new_batch_threshold=int(threshold) if threshold is not None else batch_size // 2 * (os.cpu_count() or 1),
            max_polling_interval=max(MIN_POLLING_INTERVAL, timespan(section.get("maxPollingInterval", "00:01:00"))),
            visibility_timeout=timespan(section.get("visibilityTimeout", "00:00:00")),
            max_dequeue_count=max_dequeue_count,
            message_encoding=encoding,
        )


@dataclass(frozen=True)
class HostConfig:
    route_prefix: str = "api"
    queues: QueueOptions = field(default_factory=QueueOptions)
    log_level: int = logging.INFO

    @classmethod
    def load(cls, path: Path) -> HostConfig:
        if not path.exists():
            raise HostError(f"{path} does not exist: a Functions app needs a host.json.")
        data = read_json(path)
        extensions = data.get("extensions") or {}
        level = str(((data.get("logging") or {}).get("logLevel") or {}).get("default", "Information"))
        return cls(
            route_prefix=str((extensions.get("http") or {}).get("routePrefix", "api")).strip("/"),
            queues=QueueOptions.from_section(extensions.get("queues") or {}),
            log_level=_LOG_LEVELS.get(level.lower(), logging.INFO),
        )
