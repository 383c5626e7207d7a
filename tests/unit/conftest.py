"""The fakes the use-case tests run against: a store in memory, and a Slack that keeps what it was sent."""

from __future__ import annotations

import pytest

from tests.fakes import FakeSlack, FakeStore


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def slack() -> FakeSlack:
    return FakeSlack()
