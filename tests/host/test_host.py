"""The host's own contract, on a sample app (tests/host/sample_app): routes and methods from the declared
bindings, HttpRequest and HttpResponse as the worker builds them, failures, queue output bindings, and
host.json's queue semantics (base64 encoding, retries, poison queue)."""

from __future__ import annotations

import base64
import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.storage.queue import QueueClient

from interactions.storage_account import CONNECTION
from local.azurite import Azurite
from local.host.http_front import MAX_BODY_BYTES, READ_TIMEOUT_SECONDS
from local.host_process import HostProcess
from testkit.waiting import wait_until
from tests.host.conftest import SAMPLE_APP, http, unique_name

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def sample(azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostProcess]:
    env = {**os.environ, CONNECTION: azurite.connection_string, "SAMPLE_QUEUE": unique_name()}
    host = HostProcess(env, tmp_path_factory.mktemp("sample-host"), ("--script-root", str(SAMPLE_APP))).start()
    yield host
    host.stop()


def queue(host: HostProcess, suffix: str = "") -> QueueClient:
    return QueueClient.from_connection_string(host.env[CONNECTION], host.env["SAMPLE_QUEUE"] + suffix)


def waiting(client: QueueClient) -> int:
    try:
        return client.get_queue_properties().approximate_message_count or 0
    except ResourceNotFoundError:
        return 0


def emptied(client: QueueClient, timeout: float = 5) -> None:
    wait_until(lambda: waiting(client) == 0, timeout, f"{client.queue_name} emptied", seen=lambda: waiting(client))


def wait_for_messages(client: QueueClient, count: int, timeout: float = 10) -> list[str]:
    """The raw content of the messages on ``client``'s queue (left in place), once there are ``count``."""
    wait_until(lambda: waiting(client) >= count, timeout, f"{count} message(s) on {client.queue_name}")
    return [m.content for m in client.peek_messages(max_messages=32)]


def decoded(content: str) -> str:
    return base64.b64decode(content, validate=True).decode()


def test_routes_carry_their_parameters_headers_and_query(sample: HostProcess) -> None:
    reply = http(sample.url("/api/echo/Zoe%20Q/3?x=1&y="), headers={"X-Probe": "here"})

    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.headers["X-Echo"] == "yes"
    assert json.loads(reply.body) == {
        "method": "GET",
        "url": sample.url("/api/echo/Zoe%20Q/3?x=1&y="),
        "route": {"name": "Zoe Q", "page": "3"},
        "params": {"x": "1", "y": ""},
        "probe": "here",
        "body": "",
    }
    put = json.loads(http(sample.url("/api/Echo/zoe"), "PUT", b"some body").body)
    assert (put["method"], put["route"], put["body"]) == ("PUT", {"name": "zoe"}, "some body")


def test_routes_answer_only_their_shape_and_methods(sample: HostProcess) -> None:
    assert http(sample.url("/api/echo/zoe/not-a-number")).status == 404
    assert http(sample.url("/api/nowhere")).status == 404
    assert http(sample.url("/echo/zoe")).status == 404  # outside the route prefix
    wrong = http(sample.url("/api/echo/zoe"), "POST", b"")
    assert (wrong.status, wrong.headers["Allow"]) == (405, "GET, PUT")

    for method in ("GET", "DELETE", "PATCH"):  # no methods declared: all of them
        reply = http(sample.url("/api/greeting"), method)
        assert (reply.status, reply.body) == (200, b"hello")
        assert reply.headers["Content-Type"] == "text/plain; charset=utf-8"
    head = http(sample.url("/api/greeting"), "HEAD")
    assert (head.status, head.body) == (200, b"")


def test_a_function_that_raises_gets_500_and_the_host_keeps_serving(sample: HostProcess) -> None:
    assert http(sample.url("/api/boom")).status == 500
    assert http(sample.url("/api/greeting")).status == 200

    log = sample.wait_for_log("RuntimeError: boom on purpose")
    assert "Executed 'Functions.boom' (Failed" in log
    assert "Traceback (most recent call last)" in log


def exchange(host: HostProcess, head: bytes, body: bytes = b"") -> tuple[bytes, float]:
    """Send a request as it is, keep the connection open, and read the answer until the host closes it;
    with the seconds that took."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", host.port), timeout=READ_TIMEOUT_SECONDS + 10) as sock:
        sock.sendall(head + b"\r\n" + body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer, time.monotonic() - started


def test_a_body_over_the_limit_is_refused_on_its_length_before_it_is_read(sample: HostProcess) -> None:
    too_long = b"PUT /api/echo/zoe HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n" % (MAX_BODY_BYTES + 1)
    answer, took = exchange(sample, too_long)  # none of the body sent: the host would wait for it

    assert answer.startswith(b"HTTP/1.0 413 "), answer
    assert took < READ_TIMEOUT_SECONDS

    chunked = b"PUT /api/echo/zoe HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
    answer, took = exchange(sample, chunked, b"%x\r\n" % (MAX_BODY_BYTES + 1))
    assert answer.startswith(b"HTTP/1.0 413 "), answer
    assert took < READ_TIMEOUT_SECONDS

    large = b"a" * (1024 * 1024)  # within the limit: served
    echoed = http(sample.url("/api/echo/zoe"), "PUT", large)
    assert (echoed.status, json.loads(echoed.body)["body"]) == (200, large.decode())


def test_a_body_that_stops_short_of_its_length_is_answered_408(sample: HostProcess) -> None:
    short = b"PUT /api/echo/zoe HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
    answer, took = exchange(sample, short, b"fewer than 100 bytes")

    assert answer.startswith(b"HTTP/1.0 408 "), answer
    assert READ_TIMEOUT_SECONDS <= took < READ_TIMEOUT_SECONDS + 5
    assert http(sample.url("/api/greeting")).status == 200


def test_functions_the_host_cannot_run_are_reported_and_the_rest_still_run(sample: HostProcess) -> None:
    assert "The 'arrived' function is in error: the local host does not run blobTrigger triggers." in sample.log
    assert (
        "tick: timerTrigger '0 0 * * * *', not on its schedule here: the local host does not run timers" in sample.log
    )
    assert "The 'tick' function is in error" not in sample.log
    assert http(sample.url("/api/greeting")).status == 200


def test_queue_outputs_are_written_after_return_and_trigger_the_next_function(sample: HostProcess) -> None:
    assert http(sample.url("/api/enqueue"), "POST", b"first\nsecond").status == 202

    done = wait_for_messages(queue(sample, "-done"), 2)
    relayed = sorted((json.loads(decoded(content)) for content in done), key=lambda r: r["text"])  # base64, both ways
    assert relayed == [{"function": "relay", "text": "first"}, {"function": "relay", "text": "second"}]
    emptied(queue(sample))  # each trigger message deleted once its outputs were written


def test_a_failing_message_is_retried_then_moved_to_the_poison_queue(sample: HostProcess) -> None:
    poison = queue(sample, "-poison")
    before = waiting(poison)
    content = base64.b64encode(b"fail, always").decode()
    queue(sample).send_message(content)

    assert content in wait_for_messages(poison, before + 1)  # as it was, still encoded
    log = sample.wait_for_log(": failed 2 times.")
    assert "will be tried again in 0 s (attempt 1 of 2)" in log
    assert log.count("ValueError: failing on purpose") == 2


def test_a_message_that_is_not_base64_goes_to_the_poison_queue_untried(sample: HostProcess) -> None:
    poison = queue(sample, "-poison")
    before = waiting(poison)
    queue(sample).send_message("this is not base64!")

    assert "this is not base64!" in wait_for_messages(poison, before + 1)
    sample.wait_for_log("not base64 encoded")


def test_settings_come_from_the_environment_before_the_settings_files(tmp_path: Path) -> None:
    from local.host import resolved_settings

    (tmp_path / "local.settings.json").write_text(json.dumps({"Values": {"A": "file", "B": "file"}}))
    (tmp_path / "local.settings.json.example").write_text(json.dumps({"Values": {"B": "example", "C": "example"}}))

    settings = resolved_settings(tmp_path, {"A": "env"})

    assert (settings["A"], settings["B"], settings["C"]) == ("env", "file", "example")
