"""Calls to Slack: answers through a command's response_url, and modals and files through the Web API.

It sends what it is given, built already (``interactions.slack.blocks`` and ``dashboard``), and implements
``interactions.ports``' Slack protocols."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from io import IOBase

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from slack_sdk.web import SlackResponse, WebClient
from slack_sdk.webhook import WebhookClient

log = logging.getLogger(__name__)
# slack_sdk logs request URLs and bodies, which hold workspace ids and user text; it gets a silent logger
# and this module logs one line per outcome instead.
_sdk_log = logging.getLogger(f"{__name__}.sdk")
_sdk_log.disabled = True

ANSWER_TIMEOUT_SECONDS = 10
# views.open runs on the ack path, inside Slack's 3 seconds, next to the enqueue.
ACK_PATH_TIMEOUT_SECONDS = 1
# An export of tens of thousands of entries is a few MB to upload.
UPLOAD_TIMEOUT_SECONDS = 60


def _retry_handlers() -> list[RetryHandler]:
    return [
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=2),
        ServerErrorRetryHandler(max_retry_count=2),
    ]


class Slack:
    def __init__(self, api_url: str, bot_token: str | None, response_url_prefixes: Sequence[str]) -> None:
        self._api_url = api_url if api_url.endswith("/") else api_url + "/"
        self._bot_token = bot_token
        self._response_url_prefixes = tuple(response_url_prefixes)

    def respond(
        self, response_url: str, text: str, blocks: Sequence[Block] | None = None, replace_original: bool = False
    ) -> bool:
        """Answer the caller alone; True when Slack took the answer. ``replace_original``: through a press's
        response_url, in place of the message pressed. Failures are logged, never raised: what was stored
        stays stored, and retrying the whole command would not help."""
        return self._respond(response_url, text, blocks, replace_original, ANSWER_TIMEOUT_SECONDS, retry=True)

    def respond_at_once(self, response_url: str, text: str) -> bool:
        """On the ack path, inside Slack's 3 seconds: answer once, without retries."""
        return self._respond(response_url, text, None, False, ACK_PATH_TIMEOUT_SECONDS, retry=False)

    def _respond(
        self,
        response_url: str,
        text: str,
        blocks: Sequence[Block] | None,
        replace_original: bool,
        timeout: int,
        retry: bool,
    ) -> bool:
        if not response_url.startswith(self._response_url_prefixes):
            log.warning("Refused to answer through a response_url outside SLACK_RESPONSE_URL_PREFIXES.")
            return False
        handlers = _retry_handlers() if retry else []
        client = WebhookClient(response_url, timeout=timeout, retry_handlers=handlers, logger=_sdk_log)
        try:
            response = client.send(
                text=text, blocks=blocks, response_type="ephemeral", replace_original=replace_original or None
            )
        except Exception as error:  # noqa: BLE001 - any transport failure ends the same way
            log.warning("Gave up answering through response_url: %s.", type(error).__name__)
            return False
        if response.status_code != 200:
            log.warning("Gave up answering through response_url: HTTP %s.", response.status_code)
            return False
        return True

    def open_modal(self, trigger_id: str, view: View) -> str | None:
        """Open ``view`` while the trigger_id is alive (3 s); its view id, or None if Slack said no."""
        return self._opened(lambda client: client.views_open(trigger_id=trigger_id, view=view))

    def push_modal(self, trigger_id: str, view: View) -> str | None:
        """Push ``view`` on the modal pressed in, while the trigger_id is alive; its view id, or None."""
        return self._opened(lambda client: client.views_push(trigger_id=trigger_id, view=view))

    def _opened(self, call: Callable[[WebClient], SlackResponse]) -> str | None:
        client = self._web_client(ACK_PATH_TIMEOUT_SECONDS, retry=False)
        try:
            response = call(client)
        except Exception as error:  # noqa: BLE001 - the answer then comes as a message instead
            log.warning("Could not open a modal: %s.", type(error).__name__)
            return None
        opened = response.get("view") or {}
        view_id = opened.get("id") if isinstance(opened, dict) else None
        return view_id if isinstance(view_id, str) else None

    def replace_modal_at_once(self, view_id: str, view: View, view_hash: str | None = None) -> bool:
        """On the ack path: replace a modal's content, once, without retries; ``view_hash`` as for
        ``show_modal``."""
        return self._update(view_id, view, self._web_client(ACK_PATH_TIMEOUT_SECONDS, retry=False), view_hash)

    def show_modal(self, view_id: str, view: View, view_hash: str | None = None) -> bool:
        """Replace a modal's content; given the ``view_hash`` a press saw, only if nothing has replaced that
        view since, so that a slow answer never overwrites a newer one."""
        return self._update(view_id, view, self._web_client(ANSWER_TIMEOUT_SECONDS, retry=True), view_hash)

    def publish_home(self, user_id: str, view: View, view_hash: str | None = None) -> bool:
        """Show ``view`` in the member's Home tab of the app, theirs alone; ``view_hash`` as for a modal."""
        client = self._web_client(ANSWER_TIMEOUT_SECONDS, retry=True)
        try:
            client.views_publish(user_id=user_id, view=view, hash=view_hash)
        except Exception as error:  # noqa: BLE001 - the Home tab keeps what it showed
            log.warning("Could not publish the Home tab: %s.", _reason(error))
            return False
        return True

    @property
    def can_send_files(self) -> bool:
        return self._bot_token is not None

    def send_file(self, user_id: str, file: IOBase, filename: str, title: str) -> bool:
        """Upload a file into the member's direct conversation with the app, which only the two of them can
        see; True when Slack shared it there."""
        client = self._web_client(UPLOAD_TIMEOUT_SECONDS, retry=True)
        try:
            channel = client.conversations_open(users=user_id)["channel"]["id"]
            client.files_upload_v2(channel=channel, file=file, filename=filename, title=title)
        except Exception as error:  # noqa: BLE001 - the member is told it was not sent
            log.warning("Could not send a file: %s.", _reason(error))
            return False
        return True

    def _update(self, view_id: str, view: View, client: WebClient, view_hash: str | None = None) -> bool:
        try:
            client.views_update(view_id=view_id, view=view, hash=view_hash)
        except Exception as error:  # noqa: BLE001 - a modal that can't be updated gets a message instead
            log.warning("Could not update the modal: %s.", _reason(error))
            return False
        return True

    def _web_client(self, timeout: int, retry: bool) -> WebClient:
        return WebClient(
            token=self._bot_token,
            base_url=self._api_url,
            timeout=timeout,
            retry_handlers=_retry_handlers() if retry else [],
            logger=_sdk_log,
        )


def _reason(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error", "error"))
    return type(error).__name__
