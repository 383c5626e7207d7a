"""Keyless storage, as on Azure with shared keys turned off: the app and the host have no connection string,
only the identity-based settings, and get their tokens from a stand-in of the managed-identity endpoint
(``IDENTITY_ENDPOINT``/``IDENTITY_HEADER``, as Azure sets them). Azurite runs over HTTPS and checks every
bearer token's issuer, audience and lifetime (``--oauth basic``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from azure.data.tables import TableClient

from interactions import settings as setting
from local.azurite import Azurite, Tls
from local.host_process import HostProcess
from local.identity_standin import IdentityStandIn
from testkit.app_settings import keyless_settings
from tests.host.conftest import App, HoldingSlack, app_env, new_user, text_of, unique_name

pytestmark = pytest.mark.e2e

COULD_NOT_RECORD = "Sorry, I couldn't record that, please try again."
WRONG_AUDIENCE = "https://management.azure.com"

StartHost = Callable[..., App]  # (identity, host_json=the fast one) -> the app behind a keyless host


def keyless_env(azurite: Azurite, tls: Tls, identity: IdentityStandIn, slack: HoldingSlack) -> dict[str, str]:
    keyless = keyless_settings(azurite.service_uri("queue"), azurite.service_uri("table"), identity.client_id)
    env = app_env(azurite, slack, unique_name())
    return {**env, **keyless, "REQUESTS_CA_BUNDLE": str(tls.certificate), **identity.environment()}


@pytest.fixture
def start_keyless_host(
    oauth_azurite: Azurite, tls: Tls, standin: HoldingSlack, fast_host_json: Path, tmp_path: Path
) -> Iterator[StartHost]:
    started: list[tuple[HostProcess, IdentityStandIn]] = []

    def start(identity: IdentityStandIn, host_json: Path = fast_host_json) -> App:
        env = keyless_env(oauth_azurite, tls, identity.start(), standin)
        host = HostProcess(env, tmp_path, ("--host-json", str(host_json)))
        started.append((host.start(), identity))
        return App(host, standin)

    yield start
    for host, identity in started:
        host.stop()
        identity.stop()


def stored(azurite: Azurite, tls: Tls, table: str, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """What the table holds, read with the account key (Azurite takes both) over the same HTTPS."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls.certificate))
    client = TableClient.from_connection_string(azurite.connection_string, table)
    return [dict(row) for row in client.list_entities()]


def test_log_view_and_clear_work_with_only_the_identity_settings(
    start_keyless_host: StartHost, oauth_azurite: Azurite, tls: Tls, monkeypatch: pytest.MonkeyPatch
) -> None:
    identity = IdentityStandIn()
    app: App = start_keyless_host(identity)
    me = new_user()

    logged = app.command(me, "@U0DON + Random Guy -")
    assert logged.payload["text"] == "Got it! You're 50% for positive interactions in the last 30 days."
    assert len(stored(oauth_azurite, tls, app.host.env[setting.TABLE], monkeypatch)) == 4  # and person rows

    listing = text_of(app.command(me, ""))
    assert "2 interactions: 1 `+`, 1 `−`, 50% positive" in listing
    assert "Random Guy" in listing and "<@U0DON>" in listing

    assert app.command(me, "clear").payload["text"] == "Thanks! Your interaction logs are cleared."
    assert "No interactions logged in the last 30 days." in text_of(app.command(me, ""))
    assert not [
        row
        for row in stored(oauth_azurite, tls, app.host.env[setting.TABLE], monkeypatch)
        if row["PartitionKey"] != "cleared"
    ]
    # The HTTP function, the queue trigger and the worker's table share one token, asked for once.
    assert identity.token_requests == 1
    assert "AccountKey" not in app.host.log


def test_a_token_for_the_wrong_audience_fails_the_command_and_the_member_is_told(start_keyless_host: StartHost) -> None:
    app: App = start_keyless_host(IdentityStandIn(audience=WRONG_AUDIENCE))
    me = new_user()

    reply = app.send(me, "@U0DON +")

    assert reply.status == 200
    assert json.loads(reply.body) == {"response_type": "ephemeral", "text": COULD_NOT_RECORD}
    assert "ClientAuthenticationError" in app.host.log
