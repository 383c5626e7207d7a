"""A Functions app for the local host's own tests: each trigger and binding shape the host supports, and one
it does not. Queue messages use host.json's default encoding, base64."""

from __future__ import annotations

import json
from typing import List  # noqa: UP035 - Azure's worker refuses func.Out[list[str]]: no type to it

import azure.functions as func

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.route(route="echo/{name}/{page:int?}", methods=["GET", "PUT"])
def echo(req: func.HttpRequest) -> func.HttpResponse:
    seen = {
        "method": req.method,
        "url": req.url,
        "route": dict(req.route_params),
        "params": dict(req.params),
        "probe": req.headers.get("x-probe"),
        "body": req.get_body().decode(),
    }
    return func.HttpResponse(json.dumps(seen), mimetype="application/json", headers={"X-Echo": "yes"})


@app.route(route="greeting")
def greeting(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("hello")


@app.route(route="boom")
def boom(req: func.HttpRequest) -> func.HttpResponse:
    raise RuntimeError("boom on purpose")


@app.route(route="enqueue", methods=["POST"])
@app.queue_output(arg_name="out", queue_name="%SAMPLE_QUEUE%", connection="AzureWebJobsStorage")
def enqueue(req: func.HttpRequest, out: func.Out[List[str]]) -> func.HttpResponse:  # noqa: UP006 - as the import says
    out.set(req.get_body().decode().split("\n"))
    return func.HttpResponse(status_code=202)


@app.queue_trigger(arg_name="text", queue_name="%SAMPLE_QUEUE%", connection="AzureWebJobsStorage")
@app.queue_output(arg_name="$return", queue_name="%SAMPLE_QUEUE%-done", connection="AzureWebJobsStorage")
async def relay(text: str, context: func.Context) -> str:
    if text.startswith("fail"):
        raise ValueError("failing on purpose")
    return json.dumps({"text": text, "function": context.function_name})


@app.timer_trigger(arg_name="timer", schedule="0 0 * * * *")
def tick(timer: func.TimerRequest) -> None:
    pass


@app.blob_trigger(arg_name="blob", path="samples/{name}", connection="AzureWebJobsStorage")
def arrived(blob: func.InputStream) -> None:
    pass
