"""The one error the host raises for what it cannot serve as configured."""

from __future__ import annotations


class HostError(RuntimeError):
    """The host cannot serve something as configured; the message says what to change."""
