"""Run in a fresh interpreter by the memory figures: a queue worker's peak RSS, idle and then while it
carries out the given messages. Reads ``{"warmup": message, "messages": [message, ...]}`` as JSON from stdin
(settings from the environment) and prints ``{"idle_kib": ..., "peak_kib": ...}``.

Idle is the RSS of the worker ready to work: the app imported and one small command (``warmup``) carried
out, so its modules, SDK clients and connections exist. Peak is the RSS high-water mark while it carries out
the messages: Linux's ``VmHWM``, reset to the idle RSS first (``/proc/self/clear_refs``). Not ``ru_maxrss``:
in a process started by ``subprocess`` it also holds the parent's high-water mark (the child is vforked, and
exec carries the parent's over), so a small worker started by a large bench reads the bench's size.

    python -m bench.worker_memory < messages.json
"""

from __future__ import annotations

import gc
import json
import resource
import sys
import uuid
from pathlib import Path

STATUS = Path("/proc/self/status")


def _status_kib(field: str) -> int:
    for line in STATUS.read_text(encoding="ascii").splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])  # "VmHWM:     81234 kB"
    raise RuntimeError(f"{STATUS} has no {field}")


def idle_kib() -> int:
    """The RSS now; from here on, the high-water mark counts only what comes after."""
    if not STATUS.exists():  # not Linux: the high-water mark since start, in bytes on macOS
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // (1024 if sys.platform == "darwin" else 1)
    rss = _status_kib("VmRSS")
    try:
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")  # resets VmHWM to the current RSS
    except OSError:
        return _status_kib("VmHWM")  # cannot reset: idle is then the high-water mark of the start-up
    return rss


def peak_kib() -> int:
    if not STATUS.exists():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // (1024 if sys.platform == "darwin" else 1)
    return _status_kib("VmHWM")


def main() -> int:
    job = json.loads(sys.stdin.read())
    import azure.functions as func

    from testkit.functions import registered_functions

    process = registered_functions()["process_queued_message"]

    def run(message: str) -> None:
        process(func.QueueMessage(id=uuid.uuid4().hex, body=message.encode()))

    run(job["warmup"])
    gc.collect()
    idle = idle_kib()
    for message in job["messages"]:
        run(message)
    print(json.dumps({"idle_kib": idle, "peak_kib": peak_kib()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
