"""Real services for the tests below the unit layer: Azurite in memory on free ports, started once per
run (so two runs on one machine do not collide), and a local HTTP server that plays Slack."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from local.azurite import Azurite
from local.slack_standin import SlackStandIn

SIGNING_SECRET = "test-signing-secret"
PSEUDONYM_KEY = "test-pseudonym-key"


@pytest.fixture(scope="session")
def azurite() -> Iterator[Azurite]:
    server = Azurite.on_free_ports()
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
