"""Queue triggers, as the real host's QueueListener and QueueProcessor run them: polling with host.json's
batchSize, newBatchThreshold and back-off up to maxPollingInterval; visibilityTimeout as the retry delay;
maxDequeueCount, then ``<queue>-poison``. While a function runs, its message stays invisible under a lease
renewed halfway, so a crash means redelivery, never loss."""

from __future__ import annotations

import binascii
import logging
import threading
from contextlib import suppress
from typing import Any

from azure.core.exceptions import AzureError, ResourceNotFoundError
from azure.functions.queue import QueueMessage as TriggerMessage
from azure.storage.queue import QueueClient, QueueMessage

from local.host.config import MIN_POLLING_INTERVAL, QueueOptions
from local.host.indexing import Function
from local.host.invocation import InFlight, Invoker
from local.host.queues import Queues, decode

log = logging.getLogger("host")


class Lease:
    """Keeps a taken message invisible while its function runs, renewed halfway, as the real host does
    (with 10 minutes): a long invocation is never handed to a second worker, and a crashed host's messages
    come back once the lease runs out."""

    def __init__(self, client: QueueClient, message: QueueMessage, seconds: int) -> None:
        self._client = client
        self._id = message.id
        self._receipt: str | None = message.pop_receipt
        self._seconds = seconds
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._renew, name="lease", daemon=True)

    def start(self) -> Lease:
        self._thread.start()
        return self

    def end(self) -> str | None:
        """Stop renewing; the pop receipt that now owns the message, or None if the lease was lost."""
        self._done.set()
        with self._lock:
            return self._receipt

    def _renew(self) -> None:
        while not self._done.wait(self._seconds / 2):
            with self._lock:
                if self._done.is_set() or self._receipt is None:
                    return
                try:
                    updated = self._client.update_message(self._id, self._receipt, visibility_timeout=self._seconds)
                except ResourceNotFoundError:
                    log.warning("Lost the lease on a message of '%s': it comes again.", self._client.queue_name)
                    self._receipt = None
                    return
                except AzureError as error:  # try again at the next tick, with the receipt still valid
                    log.warning(
                        "Could not renew a message lease on '%s': %s.", self._client.queue_name, type(error).__name__
                    )
                    continue
                self._receipt = updated.pop_receipt


class QueueListener:
    """Polls one queue for one function, as the real host's QueueListener and QueueProcessor do."""

    def __init__(
        self, function: Function, invoker: Invoker, queues: Queues, options: QueueOptions, lease: float
    ) -> None:
        assert function.trigger_queue is not None  # noqa: S101 - only queue-triggered functions get here
        self.function = function
        self.target = function.trigger_queue
        self.in_flight = InFlight()
        self._invoker = invoker
        self._queues = queues
        self._options = options
        self._lease = max(1, round(lease))  # Storage counts visibility in whole seconds
        self._client = queues.client(self.target)
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._failing = False
        self._thread = threading.Thread(target=self._poll, name=f"queue-{function.name}", daemon=True)

    def start(self) -> None:
        self._queues.watch(self.target, self._wake.set)
        try:
            self._queues.create(self.target)
        except AzureError as error:
            log.warning("Could not create queue '%s' yet: %s.", self.target.name, type(error).__name__)
        self._thread.start()

    def stop_polling(self) -> None:
        self._stopping.set()
        self._wake.set()
        self.in_flight.wake()

    def _poll(self) -> None:
        delay = MIN_POLLING_INTERVAL
        threshold = self._options.new_batch_threshold
        while not self._stopping.is_set():
            # After a batch, the next one is fetched once no more than newBatchThreshold are still running.
            self.in_flight.wait(lambda busy: busy <= threshold or self._stopping.is_set())
            if self._stopping.is_set():
                return
            self._wake.clear()
            messages = self._receive()
            if messages and self._stopping.is_set():
                return self._put_back(messages)
            if messages:
                delay = MIN_POLLING_INTERVAL
                for message in messages:
                    self._dispatch(message)
                continue
            self._wake.wait(delay)
            delay = min(delay * 2, self._options.max_polling_interval)

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    def _put_back(self, messages: list[QueueMessage]) -> None:
        """Messages received as the host was stopping, before any function saw them: visible again now."""
        for message in messages:
            with suppress(AzureError):  # else it comes back when its lease ends
                self._client.update_message(message.id, message.pop_receipt, visibility_timeout=0)

    def _receive(self) -> list[QueueMessage]:
        count = self._options.batch_size
        try:
            received = self._client.receive_messages(
                max_messages=count, messages_per_page=count, visibility_timeout=self._lease
            )
            messages = list(received)
        except ResourceNotFoundError:
            self._queues.create(self.target)
            return []
        except AzureError as error:
            if not self._failing:
                log.warning("Cannot read queue '%s': %s. Retrying.", self.target.name, type(error).__name__)
            self._failing = True
            return []
        if self._failing:
            log.info("Queue '%s' is reachable again.", self.target.name)
            self._failing = False
        return messages

    def _dispatch(self, message: QueueMessage) -> None:
        self.in_flight.enter()
        threading.Thread(target=self._process_then_leave, args=(message,), name="invocation", daemon=True).start()

    def _process_then_leave(self, message: QueueMessage) -> None:
        try:
            self._process(message)
        except Exception:
            log.exception("Unexpected error while handling a message of '%s'.", self.target.name)
        finally:
            self.in_flight.leave()

    def _process(self, message: QueueMessage) -> None:
        attempts = int(message.dequeue_count or 1)
        maximum = self._options.max_dequeue_count
        if attempts > maximum:  # it outlived its tries without a verdict, e.g. through host crashes
            return self._to_poison(message, message.pop_receipt, f"dequeued {attempts} times")
        try:
            body = decode(message.content or "", self.target.encoding)
        except (binascii.Error, ValueError):
            return self._to_poison(message, message.pop_receipt, f"not {self.target.encoding} encoded")
        try:
            trigger_value = self._trigger_value(message, body)
        except UnicodeDecodeError:  # no retry can help either
            return self._to_poison(message, message.pop_receipt, "not UTF-8 text, which its str parameter needs")
        lease = Lease(self._client, message, self._lease).start()
        try:
            self._invoker.run(self.function, trigger_value)
            succeeded = True
        except Exception:
            succeeded = False
        receipt = lease.end()
        if receipt is None:
            return None
        if succeeded:
            return self._delete(message, receipt)
        if attempts >= maximum:
            return self._to_poison(message, receipt, f"failed {attempts} times")
        return self._retry_later(message, receipt, attempts)

    def _trigger_value(self, message: QueueMessage, body: bytes) -> Any:
        if self.function.trigger_as == "str":
            return body.decode("utf-8")
        if self.function.trigger_as == "bytes":
            return body
        # The worker's own func.QueueMessage, with the trigger metadata; its constructor has no annotations.
        return TriggerMessage(  # type: ignore[no-untyped-call]
            id=message.id,
            body=body,
            dequeue_count=message.dequeue_count,
            expiration_time=message.expires_on,
            insertion_time=message.inserted_on,
            time_next_visible=message.next_visible_on,
            pop_receipt=message.pop_receipt,
        )

    def _delete(self, message: QueueMessage, receipt: str) -> None:
        try:
            self._client.delete_message(message.id, receipt)
        except AzureError as error:
            log.warning(
                "Could not delete a processed message of '%s' (%s): it will be delivered again.",
                self.target.name,
                type(error).__name__,
            )

    def _retry_later(self, message: QueueMessage, receipt: str, attempts: int) -> None:
        delay = round(self._options.visibility_timeout)
        try:
            self._client.update_message(message.id, receipt, visibility_timeout=delay)
        except AzureError as error:
            log.warning(
                "Could not release a failed message of '%s' (%s): it comes back when its lease ends.",
                self.target.name,
                type(error).__name__,
            )
            return
        log.warning(
            "A message of '%s' will be tried again in %d s (attempt %d of %d).",
            self.target.name,
            delay,
            attempts,
            self._options.max_dequeue_count,
        )

    def _to_poison(self, message: QueueMessage, receipt: str | None, why: str) -> None:
        poison = self.target.poison()
        try:
            self._queues.send(poison, message.content or "")  # as it came: still in the queue's encoding
            self._client.delete_message(message.id, receipt)
        except AzureError as error:
            log.error(
                "Could not move a message of '%s' to '%s' (%s).", self.target.name, poison.name, type(error).__name__
            )
            return
        log.error("Moved a message of '%s' to '%s': %s.", self.target.name, poison.name, why)
