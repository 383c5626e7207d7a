"""End to end, the log form: opened by `/interactions log` and by the message shortcut, submitted as Slack
posts it, its log carried out by the worker from the Azurite queue into the table, shown in the form's modal
on the Slack stand-in, and undone there."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from interactions import log_form as form
from interactions.model import NEGATIVE, POSITIVE, Person
from local.slack_standin import Shown
from testkit import slack_requests
from tests import form_requests
from tests.e2e.conftest import TEAM, App, text_of

ME = "U0ME"
DON = Person("U0DON", mention=True)
GUY = Person("Random Guy", mention=False)


def opened_forms(app: App) -> list[Shown]:
    return [shown for shown in app.slack.shown(ME) if shown.kind == "modal"]


def submit(app: App, modal: Shown, state: dict[str, Any]) -> dict[str, Any]:
    payload = form_requests.submission(ME, TEAM, modal.payload, str(modal.view_id), state)
    response = app.call("slack_interactions", "slack/interactions", slack_requests.interaction_body(payload))
    assert response.status_code == 200, response.get_body()
    answer: dict[str, Any] = json.loads(response.get_body())
    return answer


def test_a_form_opened_by_slash_log_logs_on_the_day_met_and_is_undone_in_its_modal(modal_app: App) -> None:
    app = modal_app
    response = app.send(ME, "log")
    assert (response.status_code, response.get_body()) == (200, b"")  # opened in the ack: nothing said
    (modal,) = opened_forms(app)
    assert modal.payload["callback_id"] == "log_form"
    assert app.waiting() == []

    met = (datetime.now(UTC) - timedelta(days=3)).date()
    mistaken = submit(app, modal, form_requests.values([DON.name], "Random Guy", {DON: "+"}, met.isoformat()))
    assert mistaken == {"response_action": "errors", "errors": {form.NAMES: "Choose + or − for each person."}}
    assert app.waiting() == []

    state = form_requests.values([DON.name], "Random Guy", {DON: "+", GUY: "-"}, met.isoformat(), "Budgets")
    answer = submit(app, modal, state)
    assert answer["response_action"] == "update" and "Logging…" in json.dumps(answer["view"], ensure_ascii=False)
    assert app.run_worker() == 1

    stored = sorted((e["Person"], e["Rating"], e["At"]) for e in app.entries())
    noon = datetime(met.year, met.month, met.day, 12, tzinfo=UTC)
    assert stored == [("Random Guy", NEGATIVE, noon), ("U0DON", POSITIVE, noon)]
    shown = app.slack.modal(str(modal.view_id))
    assert shown is not None
    assert "Logged: <@U0DON> +, Random Guy −" in text_of(shown)
    assert f"Met on {met.isoformat()}." in text_of(shown)

    undone = app.press(ME, shown, "Undo")
    assert app.entries() == []
    assert "Undone: <@U0DON> +, Random Guy −" in text_of(undone)


def test_the_message_shortcut_picks_who_the_message_names_and_a_spoiled_submission_does_nothing(
    modal_app: App,
) -> None:
    app = modal_app
    sent = datetime.now(UTC) - timedelta(days=1)
    message = {"user": "U0DON", "ts": f"{sent.timestamp():.6f}", "text": "lunch with <@U0MAELLE> and <@U0ME>"}
    payload = form_requests.message_shortcut(ME, TEAM, message, app.slack.response_url(ME))
    response = app.call("slack_interactions", "slack/interactions", slack_requests.interaction_body(payload))
    assert response.status_code == 200
    (modal,) = opened_forms(app)
    fields = {block["block_id"]: block for block in modal.payload["blocks"]}
    assert fields[form.PEOPLE]["element"]["initial_users"] == ["U0DON", "U0MAELLE"]
    assert fields[form.DATE]["element"]["initial_date"] == sent.date().isoformat()
    assert "C0LOCALCHANNEL" not in json.dumps(modal.payload)

    # Another member's submission of this form, as a forged payload would send it: refused, nothing queued.
    state = form_requests.values(["U0DON"], "", {DON: "+"}, sent.date().isoformat())
    forged = form_requests.submission("U0THEM", TEAM, modal.payload, str(modal.view_id), state)
    response = app.call("slack_interactions", "slack/interactions", slack_requests.interaction_body(forged))
    assert response.status_code == 400
    assert app.waiting() == []


def test_picking_people_redraws_the_form_with_a_choice_for_each_unless_it_changed_meanwhile(modal_app: App) -> None:
    app = modal_app
    app.send(ME, "log")
    (modal,) = opened_forms(app)
    state = form_requests.values([DON.name], "Random Guy", {}, None)

    def pick(seen: Shown) -> None:
        press = form_requests.form_press(
            ME, TEAM, seen.payload, str(seen.view_id), str(seen.hash), "log_form_people", state
        )
        response = app.call("slack_interactions", "slack/interactions", slack_requests.interaction_body(press))
        assert response.status_code == 200

    before = Shown(modal.kind, copy.deepcopy(modal.payload), modal.view_id, modal.index, modal.hash)
    pick(modal)
    redrawn = app.slack.modal(str(modal.view_id))
    assert redrawn is not None
    ratings = [b["block_id"] for b in redrawn.payload["blocks"] if b["block_id"].startswith(form.RATING_PREFIX)]
    assert ratings == [form.rating_field(DON), form.rating_field(GUY)]
    assert app.waiting() == []  # redrawn in the acknowledgement

    after = (redrawn.hash, copy.deepcopy(redrawn.payload))
    pick(before)  # as seen before the redraw: Slack refuses it by its hash, and the newer form stays
    now = app.slack.modal(str(modal.view_id))
    assert now is not None and (now.hash, now.payload) == after
