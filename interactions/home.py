"""The worker's side of the app's Home tab: the dashboard a member sees when they open it.

Safe to run twice for the same event, like every queued message: the event is remembered once carried out,
and the dashboard is read afresh each time.
"""

from __future__ import annotations

import logging

from interactions import dashboard
from interactions.ports import Answers, Store
from interactions.queue_message import QueuedHomeOpened
from interactions.slack.dashboard import dashboard_home

log = logging.getLogger(__name__)


def home_opened(opened: QueuedHomeOpened, store: Store, slack: Answers) -> None:
    if store.event_seen(opened.event_id):
        log.info("Left alone an event carried out already.")  # Slack's retry, taken by another instance
        return
    page = dashboard.read(store, opened.owner, dashboard.Dashboard(), opened.received_at)
    slack.publish_home(opened.user_id, dashboard_home(page), opened.view_hash)
    # Remembered once carried out: a read that failed leaves the event to the host's next try.
    store.remember_event(opened.event_id, opened.received_at)


def report_failure() -> None:
    """Publishing the Home tab failed every retry: it keeps what it showed, and nobody is told."""
    log.error("Publishing the Home tab failed every retry.")
