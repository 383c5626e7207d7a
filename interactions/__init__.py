"""interactions: private interaction logging for Slack, on Azure Functions and Table Storage."""

from __future__ import annotations

import logging

# The Azure SDK logs every storage request and its headers at INFO: noise at our volume, and nothing we
# need. Our own log lines say what happened, without user ids, names or command text.
logging.getLogger("azure").setLevel(logging.WARNING)
