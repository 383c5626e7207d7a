"""Real services for the tests below the unit layer: Azurite in memory on free ports, started once per
run (so two runs on one machine do not collide), the same over HTTPS with bearer tokens for the keyless
path, and a local HTTP server that plays Slack."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from local.azurite import Azurite, Tls
from local.slack_standin import SlackStandIn

SIGNING_SECRET = "test-signing-secret"
PSEUDONYM_KEY = "test-pseudonym-key"


@pytest.fixture(scope="session")
def azurite() -> Iterator[Azurite]:
    server = Azurite.on_free_ports()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    """A self-signed certificate for 127.0.0.1; clients trust it through REQUESTS_CA_BUNDLE."""
    return Tls.self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def oauth_azurite(tls: Tls) -> Iterator[Azurite]:
    """Azurite as storage with shared keys off looks to the app: HTTPS, and bearer tokens checked."""
    server = Azurite.on_free_ports(tls=tls, oauth=True)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def slack() -> Iterator[SlackStandIn]:
    server = SlackStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def unique_name() -> str:
    """A table or queue name no other test uses, so tests never see each other's data."""
    return "t" + uuid.uuid4().hex[:20]
