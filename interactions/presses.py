"""The worker's side of the app's buttons and menus: Undo, the dashboard's controls and pages, and its Clear
button, in a message, a modal or the Home tab.

Safe to run twice for the same message, like every queued message: an Undo is remembered before it deletes,
and a dashboard is read afresh each time. A press is answered where it was made: a message is replaced in
place through its response_url, a modal or the Home tab updated only if it still shows what was pressed.
"""

from __future__ import annotations

import logging

from slack_sdk.models.blocks import Block

from interactions import card, dashboard, reports
from interactions.model import PERCENT_WINDOW
from interactions.ports import Answers, Store
from interactions.pseudonym import log_tag, view_tag
from interactions.queue_message import QueuedPress
from interactions.slack import actions, blocks, texts
from interactions.slack.card import card_home, card_message, card_modal
from interactions.slack.dashboard import dashboard_home, dashboard_message, dashboard_modal
from interactions.slack.log_form import said_view
from interactions.slack.replays import SIGNATURE_WINDOW_SECONDS

log = logging.getLogger(__name__)


def press(pressed: QueuedPress, store: Store, slack: Answers) -> None:
    try:
        if pressed.action_id == actions.UNDO:
            _undo(pressed, actions.parse_undo(pressed.value), store, slack)
        elif pressed.action_id == actions.CLEAR:
            state = actions.parse_dashboard(pressed.value).first_page()
            store.clear(pressed.owner, pressed.received_at)
            _show(pressed, state, store, slack, texts.CLEARED)
        elif pressed.action_id in actions.DASHBOARD_ACTIONS:
            _show(pressed, actions.parse_dashboard(pressed.value), store, slack)
        elif pressed.action_id == actions.OPEN_CARD:
            person = actions.parse_person(pressed.value)
            shown = card.read(store, pressed.owner, person, None, pressed.received_at)
            _show_card(pressed, shown, slack, replace=False)  # a message's dashboard stays, the card comes below
        elif pressed.action_id == actions.CARD_OLDER:
            person, start = actions.parse_card_older(pressed.value)
            _show_card(pressed, card.read(store, pressed.owner, person, start, pressed.received_at), slack)
        elif pressed.action_id == actions.FORGET_PERSON:
            count, shown = card.forget(store, pressed.owner, actions.parse_person(pressed.value), pressed.received_at)
            _show_card(pressed, shown, slack, texts.forgotten(count))
        else:
            log.error("Dropped a press of a control this app does not have.")
    except actions.BadValue as error:  # checked before queuing: only a message not written by the app
        log.error("Dropped a press whose value this app did not write: %s.", error)


def report_failure(failed: QueuedPress, slack: Answers) -> None:
    """A press failed every retry: say so in the message pressed (a modal shows it in place of the dashboard,
    which is closed and opened again with `/interactions`). A Home tab keeps what it showed."""
    log.error("A press failed every retry: %s.", failed.action_id)
    # A clear may have deleted some logs before it failed: "nothing was changed" would not be true.
    text = {
        actions.UNDO: texts.FAILED_UNDO,
        actions.CLEAR: texts.FAILED_CLEAR,
        actions.FORGET_PERSON: texts.FAILED_FORGET,
    }.get(failed.action_id, texts.FAILED_PRESS)
    if failed.surface == "message" and failed.response_url:
        slack.respond(failed.response_url, text)
    elif failed.surface == "modal" and failed.view_id:
        slack.show_modal(failed.view_id, blocks.text_modal(text), failed.view_hash)


def _undo(pressed: QueuedPress, target: actions.UndoTarget, store: Store, slack: Answers) -> None:
    if target.owner_tag != log_tag(pressed.owner, target.command_id):
        # Only the member who logged sees the button: anyone else's press was forged or replayed.
        _answer(pressed, slack, texts.NOT_YOUR_LOG, replace=False)
        return
    # Read before the Undo is remembered: a redelivery of the log running meanwhile either writes the same
    # rows back, removed below, or sees the Undo and removes them itself; either way the answer names them.
    entries = store.command_entries(pressed.owner, target.command_id, target.at, target.count)
    already = store.remember_undo(pressed.owner, target.command_id, pressed.received_at)
    if entries:
        store.remove(pressed.owner, target.command_id, target.at, target.count)
        # Without the log's own entries, which such a redelivery may be writing back this moment.
        since = pressed.received_at - PERCENT_WINDOW
        left = reports.totals(store.ratings_since(pressed.owner, since, without=target.command_id))
        percent = left.percent_positive if left.count else None
        _answer(pressed, slack, texts.undone(percent), blocks.undone(percent, entries))
    elif already:
        _answer(pressed, slack, texts.ALREADY_UNDONE, replace=False)  # the first press's answer stays
    else:
        _answer(pressed, slack, texts.NOTHING_LEFT_TO_UNDO)


def _answer(
    pressed: QueuedPress, slack: Answers, text: str, shown: list[Block] | None = None, replace: bool = True
) -> None:
    if pressed.response_url is not None:
        slack.respond(pressed.response_url, text, shown, replace_original=replace)
    elif pressed.surface == "modal" and pressed.view_id is not None and replace:
        # An Undo in the log form's modal: answered in it, unless it shows something newer already.
        tag = view_tag(pressed.owner, pressed.view_id)
        slack.show_modal(pressed.view_id, said_view(text, shown, tag), pressed.view_hash)


def _show(
    pressed: QueuedPress, state: dashboard.Dashboard, store: Store, slack: Answers, note: str | None = None
) -> None:
    page = dashboard.read(store, pressed.owner, state, pressed.received_at)
    if pressed.surface == "message":
        if pressed.response_url is not None:
            text, shown = dashboard_message(page, note)
            slack.respond(pressed.response_url, text, shown, replace_original=True)
        return
    view_id = pressed.view_id
    if pressed.surface == "modal":
        if view_id is None:
            return
        modal = dashboard_modal(page, view_tag(pressed.owner, view_id), note)

        def show(view_hash: str | None) -> bool:
            return slack.show_modal(view_id, modal, view_hash)
    else:
        home = dashboard_home(page, note)

        def show(view_hash: str | None) -> bool:
            return slack.publish_home(pressed.user_id, home, view_hash)

    # Presses of one view are carried out in any order, by any worker, and two made quickly (two menu choices)
    # both carry the hash of the view they were made on: the first carried out takes it, Slack refuses the
    # other's (hash_conflict). Each menu choice carries every menu's choice (``actions.chosen_value``), so the
    # newer press shows both: it must be the one that stays. The store remembers the newest press carried out
    # of each view, by Slack's action_ts, before it is shown: an older press is left alone, and the newest
    # one, refused for a hash an older one changed, is shown without it. A Home tab press names any view id
    # it likes, so the marker is the presser's own (kept under their pseudonym's tag of the view): no press
    # of one member's leaves another's alone. A clear says what it did whatever else was shown meanwhile: it
    # deleted every log.
    made = _made(pressed)
    marked = view_id if pressed.surface == "modal" and view_id is not None else "home"  # a member has one Home tab
    if made is not None and not store.newest_press(pressed.owner, marked, made, pressed.received_at) and note is None:
        log.info("Left a view alone: a newer press of it was carried out.")
        return
    if show(pressed.view_hash):
        return
    newest = made is not None and store.newest_press(pressed.owner, marked, made, pressed.received_at)
    if (note is not None or newest) and show(None):
        return
    log.info("A view was not updated: closed, or showing a newer press.")


def _show_card(
    pressed: QueuedPress, shown: card.PersonCard, slack: Answers, note: str | None = None, replace: bool = True
) -> None:
    """A card where it was asked for: in the message pressed (or below it), a modal, or the Home tab. A modal or
    the Home tab is updated only if it still shows what was pressed, unless ``note`` says what a press did."""
    now = pressed.received_at
    if pressed.surface == "message":
        if pressed.response_url is not None:
            text, shown_blocks = card_message(shown, now, note)
            slack.respond(pressed.response_url, text, shown_blocks, replace_original=replace)
        return
    view_id = pressed.view_id
    for view_hash in (pressed.view_hash, None) if note is not None else (pressed.view_hash,):
        if pressed.surface == "modal" and view_id is not None:
            if slack.show_modal(view_id, card_modal(shown, view_tag(pressed.owner, view_id), now, note), view_hash):
                return
        elif pressed.surface == "home" and slack.publish_home(pressed.user_id, card_home(shown, now, note), view_hash):
            return
    log.info("A card was not shown: its view was closed, or shows a newer press.")


def _made(pressed: QueuedPress) -> str | None:
    """When the press was made, as Slack says (action_ts), if that is as near its receipt as a signature's
    timestamp must be: a payload may say any time, and one said far ahead would keep every newer press of
    the view left alone."""
    made = pressed.pressed_at
    if made is None or abs(float(made) - pressed.received_at.timestamp()) > SIGNATURE_WINDOW_SECONDS:
        return None
    return made
