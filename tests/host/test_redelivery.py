"""A queue message is deleted only after its function returned: a host that dies mid-invocation leaves it to
come back, and a host that is asked to stop lets the invocation finish first."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from azure.storage.queue import QueueClient

from interactions import settings as setting
from interactions.storage_account import CONNECTION
from local.azurite import Azurite
from local.host_process import HostProcess
from testkit.waiting import wait_until
from tests.host.conftest import App, HoldingSlack, app_env, new_user, text_of, unique_name

pytestmark = pytest.mark.e2e

# Short, so a crashed host's message comes back quickly; the real host holds it 10 minutes.
LEASE = ("--message-lease", "2")


def waiting_messages(env: dict[str, str]) -> int:
    """Messages on the app's queue, visible or not."""
    queue = QueueClient.from_connection_string(env[CONNECTION], env[setting.QUEUE])
    return queue.get_queue_properties().approximate_message_count or 0


def test_a_message_redelivered_after_a_host_crash_is_processed_once(
    azurite: Azurite, standin: HoldingSlack, fast_host_json: Path, tmp_path: Path
) -> None:
    env = app_env(azurite, standin, unique_name())
    args = ("--host-json", str(fast_host_json), *LEASE)
    me = new_user()
    first = HostProcess(env, tmp_path, args, name="first").start()
    try:
        hold = standin.hold_next_answer(me)
        assert App(first, standin).send(me, "@U0DON + Random Guy -").status == 200
        assert hold.arrived.wait(10), first.log  # entries stored, answer on its way, message not deleted
        first.kill()  # SIGKILL: no chance to clean up
    finally:
        first.kill()
    hold.release(deliver=False)  # that answer died with the host
    assert "Executed 'Functions.process_queued_message'" not in first.log
    assert waiting_messages(env) == 1

    second = HostProcess(env, tmp_path, args, name="second").start()
    try:
        (answer,) = standin.wait_for(me, 1, timeout=15)
        assert answer.payload["text"] == "Got it! You're 50% for positive interactions in the last 30 days."
        assert "2 interactions: 1 `+`, 1 `−`, 50% positive" in text_of(App(second, standin).command(me, ""))
        # deleted just after the answer its function sent
        wait_until(lambda: waiting_messages(env) == 0, 5, "the app's queue emptied", seen=lambda: waiting_messages(env))
    finally:
        second.stop()


def test_sigterm_lets_a_running_invocation_finish_and_delete_its_message(
    azurite: Azurite, standin: HoldingSlack, fast_host_json: Path, tmp_path: Path
) -> None:
    env = app_env(azurite, standin, unique_name())
    me = new_user()
    host = HostProcess(env, tmp_path, ("--host-json", str(fast_host_json), *LEASE)).start()
    try:
        hold = standin.hold_next_answer(me)
        assert App(host, standin).send(me, "@U0DON +").status == 200
        assert hold.arrived.wait(10), host.log
        host.signal(signal.SIGTERM)
        host.wait_for_log("Stopping (SIGTERM)")
        hold.release(deliver=True)
        assert host.process is not None and host.process.wait(15) == 0
    finally:
        host.kill()

    (answer,) = standin.shown(me)
    assert answer.payload["text"] == "Got it! You're 100% for positive interactions in the last 30 days."
    assert "Executed 'Functions.process_queued_message' (Succeeded" in host.log
    assert waiting_messages(env) == 0
