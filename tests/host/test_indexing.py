"""What Azure's Python worker checks as it loads the app, checked when the local host indexes it: an app that
would not load on Azure does not start locally either, and says which function and why."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import azure.functions as func
import pytest

from local.host.config import QueueOptions
from local.host.errors import HostError
from local.host.indexing import check_loadable, index
from tests.host.conftest import ROOT

if TYPE_CHECKING:
    from interactions.receive import Reply  # only for the checker, as in an app's helpers


def http_app(function: Callable[..., Any]) -> func.FunctionApp:
    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
    app.route(route="probe")(function)
    return app


def output_app(function: Callable[..., Any]) -> func.FunctionApp:
    """An HTTP function with a queue output binding named ``out``."""
    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
    app.route(route="probe")(
        app.queue_output(arg_name="out", queue_name="done", connection="AzureWebJobsStorage")(function)
    )
    return app


def refusal(app: func.FunctionApp) -> str:
    with pytest.raises(HostError) as refused:
        index(app, QueueOptions())
    return str(refused.value)


def test_a_signature_naming_what_is_imported_only_for_the_type_checker_stops_the_app() -> None:
    def probe(req: func.HttpRequest) -> Reply:
        raise AssertionError("never called")

    message = refusal(http_app(probe))

    assert "cannot load the probe function" in message
    assert "NameError: name 'Reply' is not defined" in message


def test_a_helper_annotated_with_such_a_name_does_not_stop_the_app() -> None:
    def helper(reply: Reply) -> func.HttpResponse:
        raise AssertionError("never called")

    def probe(req: func.HttpRequest) -> func.HttpResponse:
        return helper(req)  # type: ignore[arg-type]  # never called here: the check only reads annotations

    functions, errors = index(http_app(probe), QueueOptions())

    assert [function.name for function in functions] == ["probe"]
    assert errors == []


def test_an_http_trigger_annotated_as_a_queue_message_stops_the_app() -> None:
    def probe(req: func.QueueMessage) -> func.HttpResponse:
        raise AssertionError("never called")

    assert 'type of req binding in function.json "httpTrigger" does not match its Python annotation "QueueMessage"' in (
        refusal(http_app(probe))
    )


def test_a_queue_trigger_takes_a_queue_message_str_or_bytes_and_nothing_else() -> None:
    def app_taking(annotation: Any) -> func.FunctionApp:
        def work(message: func.QueueMessage) -> None:
            pass

        work.__annotations__["message"] = annotation
        app = func.FunctionApp()
        app.queue_trigger(arg_name="message", queue_name="work", connection="AzureWebJobsStorage")(work)
        return app

    for accepted in (func.QueueMessage, str, bytes):
        check_loadable(app_taking(accepted).get_functions()[0])
    assert 'binding in function.json "queueTrigger" does not match its Python annotation "HttpRequest"' in (
        refusal(app_taking(func.HttpRequest))
    )


def test_a_timer_trigger_annotated_as_anything_but_a_timer_request_stops_the_app() -> None:
    def tick(timer: func.HttpRequest) -> None:
        pass

    app = func.FunctionApp()
    app.timer_trigger(arg_name="timer", schedule="0 0 * * * *")(tick)

    assert '"timerTrigger" does not match its Python annotation "HttpRequest"' in refusal(app)


def test_a_return_annotation_the_return_binding_cannot_send_stops_the_app() -> None:
    def probe(req: func.HttpRequest) -> func.QueueMessage:
        raise AssertionError("never called")

    assert 'Python return annotation "QueueMessage" does not match binding type "http"' in refusal(http_app(probe))


def test_an_output_binding_not_annotated_as_out_stops_the_app() -> None:
    def probe(req: func.HttpRequest, out: str) -> func.HttpResponse:
        raise AssertionError("never called")

    assert 'binding out is declared to have the "out" direction' in refusal(output_app(probe))


def test_an_output_of_a_builtin_generic_stops_the_app_as_azure_refuses_it() -> None:
    def probe(req: func.HttpRequest, out: func.Out[list[str]]) -> func.HttpResponse:
        raise AssertionError("never called")

    assert "binding out has invalid non-type annotation list[str]" in refusal(output_app(probe))


def test_the_projects_app_loads_as_on_azure() -> None:
    spec = importlib.util.spec_from_file_location("function_app_as_indexed", ROOT / "function_app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)  # a fresh app object: get_functions() is for once per app
    spec.loader.exec_module(module)

    definitions = module.app.get_functions()
    for definition in definitions:
        check_loadable(definition)
    assert len(definitions) == 7


def test_the_host_refuses_to_start_an_app_azure_would_not_load(tmp_path: Path) -> None:
    (tmp_path / "host.json").write_text('{"version": "2.0"}')
    (tmp_path / "function_app.py").write_text(
        "import azure.functions as func\n"
        "app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)\n"
        "@app.route(route='hello')\n"
        "def hello(req: func.QueueMessage) -> func.HttpResponse:\n"
        "    return func.HttpResponse('hello')\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "PYTHON_SCRIPT_FILE_NAME"}

    host = subprocess.run(
        [sys.executable, "-m", "local.host", "--script-root", str(tmp_path), "--port", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert host.returncode == 1
    assert "cannot load the hello function" in host.stderr
    assert "Host started" not in host.stderr


def test_a_parameter_no_binding_fills_stops_the_app() -> None:
    def probe(req: func.HttpRequest, extra: str) -> func.HttpResponse:
        raise AssertionError("never called")

    message = refusal(http_app(probe))

    assert "cannot load the probe function" in message
    assert "the following parameters are declared in Python but not in function.json: {'extra'}" in message


def test_a_binding_no_parameter_takes_stops_the_app() -> None:
    def probe(req: func.HttpRequest) -> func.HttpResponse:
        raise AssertionError("never called")

    assert "the following parameters are declared in function.json but not in Python: {'out'}" in refusal(
        output_app(probe)
    )


def test_a_context_parameter_needs_no_binding() -> None:
    def probe(req: func.HttpRequest, context: func.Context) -> func.HttpResponse:
        raise AssertionError("never called")

    functions, errors = index(http_app(probe), QueueOptions())

    assert [function.name for function in functions] == ["probe"]
    assert errors == []
