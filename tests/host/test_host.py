"""The host's own contract, on a sample app (tests/host/sample_app): routes and methods from the declared
bindings, HttpRequest and HttpResponse as the worker builds them, failures, queue output bindings, and
host.json's queue semantics (base64 encoding, retries, poison queue)."""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.storage.queue import QueueClient

from local.azurite import Azurite
from testkit.host_process import HostProcess
from tests.host.conftest import SAMPLE_APP, http, unique_name

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def sample(azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostProcess]:
    env = {**os.environ, "AzureWebJobsStorage": azurite.connection_string, "SAMPLE_QUEUE": unique_name()}
    host = HostProcess(env, tmp_path_factory.mktemp("sample-host"), ("--script-root", str(SAMPLE_APP))).start()
    yield host
    host.stop()


def queue(host: HostProcess, suffix: str = "") -> QueueClient:
    return QueueClient.from_connection_string(host.env["AzureWebJobsStorage"], host.env["SAMPLE_QUEUE"] + suffix)


def waiting(client: QueueClient) -> int:
    try:
        return client.get_queue_properties().approximate_message_count or 0
    except ResourceNotFoundError:
        return 0


def emptied(client: QueueClient, timeout: float = 5) -> bool:
    deadline = time.monotonic() + timeout
    while waiting(client) and time.monotonic() < deadline:
        time.sleep(0.05)
    return waiting(client) == 0


def wait_for_messages(client: QueueClient, count: int, timeout: float = 10) -> list[str]:
    """The raw content of the messages on ``client``'s queue (left in place), once there are ``count``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if waiting(client) >= count:
            return [m.content for m in client.peek_messages(max_messages=32)]
        time.sleep(0.05)
    raise AssertionError(f"{client.queue_name} did not get {count} message(s)")


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


def test_functions_the_host_cannot_run_are_reported_and_the_rest_still_run(sample: HostProcess) -> None:
    assert "The 'tick' function is in error: the local host does not run timerTrigger triggers." in sample.log
    assert http(sample.url("/api/greeting")).status == 200


def test_queue_outputs_are_written_after_return_and_trigger_the_next_function(sample: HostProcess) -> None:
    assert http(sample.url("/api/enqueue"), "POST", b"first\nsecond").status == 202

    done = wait_for_messages(queue(sample, "-done"), 2)
    relayed = sorted((json.loads(decoded(content)) for content in done), key=lambda r: r["text"])  # base64, both ways
    assert relayed == [{"function": "relay", "text": "first"}, {"function": "relay", "text": "second"}]
    assert emptied(queue(sample))  # each trigger message deleted once its outputs were written


def test_a_failing_message_is_retried_then_moved_to_the_poison_queue(sample: HostProcess) -> None:
    poison = queue(sample, "-poison")
    before = waiting(poison)
    content = base64.b64encode(b"fail, always").decode()
    queue(sample).send_message(content)

    assert content in wait_for_messages(poison, before + 1)  # as it was, still encoded
    log = sample.wait_for_log(": failed 2 times.")
    assert "will be tried again in 0 s (attempt 1 of 2)" in log
    assert ": failed 2 times." in log
    assert log.count("ValueError: failing on purpose") == 2


def test_a_message_that_is_not_base64_goes_to_the_poison_queue_untried(sample: HostProcess) -> None:
    poison = queue(sample, "-poison")
    before = waiting(poison)
    queue(sample).send_message("this is not base64!")

    assert "this is not base64!" in wait_for_messages(poison, before + 1)
    assert "not base64 encoded" in sample.wait_for_log("not base64 encoded")


def test_settings_come_from_the_environment_before_the_settings_files(tmp_path: Path) -> None:
    from local.host import resolved_settings

    (tmp_path / "local.settings.json").write_text(json.dumps({"Values": {"A": "file", "B": "file"}}))
    (tmp_path / "local.settings.json.example").write_text(json.dumps({"Values": {"B": "example", "C": "example"}}))

    settings = resolved_settings(tmp_path, {"A": "env"})

    assert (settings["A"], settings["B"], settings["C"]) == ("env", "file", "example")
