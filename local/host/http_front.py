"""The HTTP front: a threading HTTP server that routes each request to its function, hands it a
``func.HttpRequest`` as the worker builds one, and sends back what the function's ``HttpResponse`` says."""

from __future__ import annotations

import io
import logging
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import azure.functions as func

from local.host.errors import HostError
from local.host.invocation import InFlight, Invoker
from local.host.routes import RouteMatch, Router

log = logging.getLogger("host")

SERVER_NAME = "local-functions-host"  # the Server header's first word, by which `make run` knows its own host
# Refused with 413 on the Content-Length, before any of the body is read. Above the largest body the app
# itself takes (a press in a full modal, interactions.slack.request.MAX_PAYLOAD_BYTES): this only bounds what
# a stray client can make the host hold in memory.
MAX_BODY_BYTES = 8 * 1024 * 1024
# A client that stops sending mid-request is answered 408 (or, mid-headers, disconnected) instead of holding a
# thread forever; on this machine a live client never pauses that long.
READ_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def http_answer(value: Any) -> Answer:
    """What the worker's HTTP converter makes of a function's HTTP output."""
    if value is None:
        return Answer(204, [], b"")
    if isinstance(value, func.HttpResponse):
        headers = list(value.headers.items())
        if not any(name.lower() == "content-type" for name, _ in headers):
            mimetype = value.mimetype
            text = mimetype.startswith("text/")
            headers.append(("Content-Type", f"{mimetype}; charset={value.charset}" if text else mimetype))
        return Answer(int(value.status_code), headers, value.get_body())
    raise HostError(f"an HTTP function must return an HttpResponse, not {type(value).__name__}.")


class _HttpServer(ThreadingHTTPServer):
    # socketserver listens with a backlog of 5: a burst of connections then waits out a SYN retransmit (1 s)
    # or is refused. Kestrel, which the real host serves with, keeps 512 waiting.
    request_queue_size = 512
    daemon_threads = True


class HttpFront:
    """Serves the HTTP triggers from a ThreadingHTTPServer, one thread per request."""

    def __init__(self, router: Router, invoker: Invoker, port: int, bind: str = "127.0.0.1") -> None:
        self.router = router
        self.in_flight = InFlight()
        self._invoker = invoker
        self._server = _HttpServer((bind, port), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, name="http", daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> None:
        self._thread.start()

    def stop_accepting(self) -> None:
        self._server.shutdown()

    def close(self) -> None:
        self._server.server_close()

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        split = urlsplit(request.path)
        match = self.router.match(request.command, split.path)
        if match.route is None:
            # The path is not logged: routes can carry user data.
            log.info(
                "HTTP %s: %s",
                request.command,
                "no function at that route" if match.status == 404 else "method not allowed",
            )
            headers = [("Allow", ", ".join(sorted(match.allowed)))] if match.allowed else []
            return _send(request, Answer(match.status, headers, b""))
        try:
            body = _read_body(request)
        except ValueError:
            return _send(request, Answer(400, [], b""))
        except BodyTooLarge:
            log.info("HTTP %s: body over %d bytes, refused", request.command, MAX_BODY_BYTES)
            return _send(request, Answer(413, [], b""))
        except TimeoutError:
            log.info("HTTP %s: the body did not arrive within %g s", request.command, READ_TIMEOUT_SECONDS)
            return _send(request, Answer(408, [], b""))
        self.in_flight.enter()
        try:
            answer = self._invoke(request, match, split.query, body)
        finally:
            self.in_flight.leave()
        _send(request, answer)

    def _invoke(self, request: BaseHTTPRequestHandler, match: RouteMatch, query: str, body: bytes) -> Answer:
        assert match.route is not None  # noqa: S101 - handle() returned earlier otherwise
        host = request.headers.get("Host") or f"localhost:{self.port}"
        http_request = func.HttpRequest(
            method=request.command,
            url=f"http://{host}{request.path}",
            headers={name: ", ".join(request.headers.get_all(name) or []) for name in set(request.headers.keys())},
            params=dict(parse_qsl(query, keep_blank_values=True)),
            route_params=match.params,
            body=body,
        )
        try:
            answer: Answer = self._invoker.run(match.route.function, http_request, http_answer)
        except Exception:
            return Answer(500, [], b"")  # the real host sends no detail either; the log has the traceback
        return answer


def _handler(front: HttpFront) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = SERVER_NAME
        timeout = READ_TIMEOUT_SECONDS  # of each read and write on the connection

        def serve(self) -> None:
            try:
                front.handle(self)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client left; nothing to answer

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = serve

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the access log would show paths and queries; one line per invocation is logged instead

    return Handler


class BodyTooLarge(Exception):
    pass


def _read_body(request: BaseHTTPRequestHandler) -> bytes:
    if "chunked" in request.headers.get("Transfer-Encoding", "").lower():
        return _read_chunked(request.rfile)
    length = int(request.headers.get("Content-Length") or 0)
    if length < 0:
        raise ValueError("negative Content-Length")
    if length > MAX_BODY_BYTES:
        raise BodyTooLarge
    body = request.rfile.read(length) if length else b""
    if len(body) < length:  # the client closed its side early: the request is incomplete
        raise ValueError("body shorter than its Content-Length")
    return body


def _read_chunked(stream: io.BufferedIOBase) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while size := int(stream.readline().split(b";")[0].strip() or b"0", 16):
        if size < 0:
            raise ValueError("negative chunk size")
        total += size
        if total > MAX_BODY_BYTES:  # before the chunk is read, as for a Content-Length
            raise BodyTooLarge
        chunks.append(stream.read(size))
        stream.readline()
    while stream.readline().strip():  # trailers, up to the blank line
        pass
    return b"".join(chunks)


def _send(request: BaseHTTPRequestHandler, answer: Answer) -> None:
    request.send_response(answer.status)
    for name, value in answer.headers:
        if name.lower() not in ("content-length", "transfer-encoding", "connection"):
            request.send_header(name, value)
    bodiless = answer.status in (204, 304) or answer.status < 200
    request.send_header("Content-Length", "0" if bodiless else str(len(answer.body)))
    request.end_headers()
    if request.command != "HEAD" and not bodiless:
        request.wfile.write(answer.body)
