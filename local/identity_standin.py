"""A local HTTP server that plays the managed-identity endpoint of Azure App Service and Functions.

On Azure, a function app reaches its identity through ``IDENTITY_ENDPOINT`` and ``IDENTITY_HEADER``; the
Azure SDK asks that endpoint for a token (``?resource=...&api-version=2019-08-01[&client_id=...]``, with
the header ``X-IDENTITY-HEADER``). This stand-in answers in the same way, with tokens of the shape Azurite
checks in ``--oauth basic`` mode: issuer ``https://sts.windows.net/<tenant>/``, audience, not-before and
expiry, and no signature check. ``audience`` can be set wrong, so that tests can show storage refusing it.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from local.json_http import send_json

STORAGE_AUDIENCE = "https://storage.azure.com"
TENANT = "00000000-0000-0000-0000-0000000074e7"
TOKEN_SECONDS = 3600


def _segment(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


class IdentityStandIn:
    """One user-assigned identity (``client_id``); ``token_requests`` counts the tokens handed out."""

    def __init__(self, client_id: str | None = None, audience: str | None = None) -> None:
        self.client_id = client_id or str(uuid.uuid4())
        self.audience = audience  # None: the resource asked for, as Azure does
        self.header = secrets.token_hex(16)
        self.token_requests = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="identity-stand-in", daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/msi/token"

    def environment(self) -> dict[str, str]:
        """What App Service sets in a function app's environment for its identity."""
        return {"IDENTITY_ENDPOINT": self.endpoint, "IDENTITY_HEADER": self.header}

    def start(self) -> IdentityStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def token(self, resource: str) -> dict[str, str]:
        now = int(time.time())
        claims = {
            "aud": self.audience or resource,
            "iss": f"https://sts.windows.net/{TENANT}/",
            "iat": now,
            "nbf": now - 60,
            "exp": now + TOKEN_SECONDS,
            "appid": self.client_id,
            "oid": str(uuid.uuid5(uuid.NAMESPACE_URL, self.client_id)),
            "tid": TENANT,
        }
        access_token = ".".join((_segment({"alg": "RS256", "typ": "JWT"}), _segment(claims), "unsigned"))
        return {
            "access_token": access_token,
            "expires_on": str(claims["exp"]),
            "resource": resource,
            "token_type": "Bearer",
            "client_id": self.client_id,
        }

    def _answer(self, handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, str]]:
        url = urlsplit(handler.path)
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        if url.path != "/msi/token" or handler.headers.get("X-IDENTITY-HEADER") != self.header:
            return 401, {"error": "unauthorized", "error_description": "missing or wrong X-IDENTITY-HEADER"}
        if query.get("api-version") != "2019-08-01" or not query.get("resource"):
            return 400, {"error": "invalid_request", "error_description": "api-version and resource are required"}
        if query.get("client_id", self.client_id) != self.client_id:
            return 400, {"error": "invalid_request", "error_description": "no identity with that client_id"}
        with self._lock:
            self.token_requests += 1
        return 200, self.token(query["resource"].removesuffix("/.default"))

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                send_json(self, *standin._answer(self))

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler
