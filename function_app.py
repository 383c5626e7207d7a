"""Azure Functions entry point (Python v2 programming model): bindings and wiring only.

The work lives in ``interactions/``. Its modules are imported inside the functions so that a cold start
loads only what the function being run needs: the HTTP path never loads the Table Storage SDK.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING

import azure.functions as func

if TYPE_CHECKING:
    from interactions.receive import Reply
    from interactions.settings import Settings
    from interactions.slack.client import Slack
    from interactions.store import EntryStore

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.function_name("slack_commands")
@app.route(route="slack/commands", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
def slack_commands(req: func.HttpRequest) -> func.HttpResponse:
    from functools import partial

    from interactions import storage_queue
    from interactions.receive import receive

    settings = _settings()
    reply = receive(
        req.get_body(),
        req.headers,
        settings,
        enqueue=partial(storage_queue.send, settings.storage, settings.queue),
        modals=partial(_slack, settings) if settings.bot_token else None,
    )
    return _http_response(reply)


@app.function_name("slack_interactions")
@app.route(route="slack/interactions", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
def slack_interactions(req: func.HttpRequest) -> func.HttpResponse:
    from functools import partial

    from interactions import storage_queue
    from interactions.receive import receive_press

    settings = _settings()
    reply = receive_press(
        req.get_body(),
        req.headers,
        settings,
        enqueue=partial(storage_queue.send, settings.storage, settings.queue),
        messages=partial(_slack, settings),
        modals=partial(_slack, settings) if settings.bot_token else None,
    )
    return _http_response(reply)


@app.function_name("slack_events")
@app.route(route="slack/events", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
def slack_events(req: func.HttpRequest) -> func.HttpResponse:
    from functools import partial

    from interactions import storage_queue
    from interactions.receive import receive_event

    settings = _settings()
    reply = receive_event(
        req.get_body(), req.headers, settings, enqueue=partial(storage_queue.send, settings.storage, settings.queue)
    )
    return _http_response(reply)


# Every kind of queued message: slash commands, presses of the app's buttons, the Home tab opened.
@app.function_name("process_queued_message")
@app.queue_trigger(arg_name="message", queue_name="%INTERACTIONS_QUEUE%", connection="AzureWebJobsStorage")
def process_queued_message(message: func.QueueMessage) -> None:
    from interactions.process import process

    settings = _settings()
    process(message.get_body(), _store(settings), _slack(settings))


@app.function_name("report_failed_message")
@app.queue_trigger(arg_name="message", queue_name="%INTERACTIONS_QUEUE%-poison", connection="AzureWebJobsStorage")
def report_failed_message(message: func.QueueMessage) -> None:
    from interactions.process import report_failure

    settings = _settings()
    report_failure(message.get_body(), _store(settings), _slack(settings))


# Daily at 03:30 UTC, a quiet hour for most workspaces; a run cut short by its budget is finished by the next.
@app.function_name("expire_old_entries")
@app.timer_trigger(arg_name="timer", schedule="0 30 3 * * *", run_on_startup=False, use_monitor=True)
def expire_old_entries(timer: func.TimerRequest) -> None:
    from datetime import UTC, datetime

    from interactions.retention import expire

    settings = _settings()
    expire(_store(settings), datetime.now(UTC), settings.retention_days)


# Every 5 minutes: how many messages wait in the poison queues, for the alert on them (counts only).
@app.function_name("report_queue_depth")
@app.timer_trigger(arg_name="timer", schedule="0 */5 * * * *", run_on_startup=False, use_monitor=False)
def report_queue_depth(timer: func.TimerRequest) -> None:
    from interactions.queue_depth import poison_queues, queue_counter, report_depths

    settings = _settings()
    report_depths(poison_queues(settings.queue), queue_counter(settings.storage))


def _http_response(reply: Reply) -> func.HttpResponse:
    body = json.dumps(reply.body, ensure_ascii=False) if reply.body is not None else ""
    return func.HttpResponse(body, status_code=reply.status, mimetype="application/json", charset="utf-8")


def _settings() -> Settings:
    from interactions.settings import Settings

    return Settings.from_env()


@lru_cache(maxsize=2)
def _store(settings: Settings) -> EntryStore:
    from interactions.store import EntryStore

    return EntryStore.connect(settings.storage, settings.table)


@lru_cache(maxsize=2)
def _slack(settings: Settings) -> Slack:
    from interactions.slack.client import Slack

    return Slack(settings.slack_api_url, settings.bot_token, settings.response_url_prefixes)
