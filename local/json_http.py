"""What the local stand-ins share: answering an HTTP request with JSON, as the services they play do."""

from __future__ import annotations

import json
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler
from typing import Any


def send_json(request: BaseHTTPRequestHandler, status: int, answer: Any, headers: Mapping[str, str] = {}) -> None:
    data = json.dumps(answer).encode()
    request.send_response(status)
    for name, value in {"Content-Type": "application/json", **headers}.items():
        request.send_header(name, value)
    request.send_header("Content-Length", str(len(data)))
    request.end_headers()
    request.wfile.write(data)
