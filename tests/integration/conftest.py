"""The store under test: the real one against Azurite, and the in-memory one the unit tests use, so that the
same tests hold both to the same behaviour and the stand-in cannot drift from what it stands in for."""

from __future__ import annotations

from typing import Protocol

import pytest
from azure.data.tables import TableClient

from interactions.ports import Expiring, Store
from interactions.store import EntryStore
from local.azurite import Azurite
from tests.fakes import FakeStore


class SweptStore(Store, Expiring, Protocol):
    """The store as the use cases and the retention sweep use it."""


@pytest.fixture
def table(azurite: Azurite, unique_name: str) -> TableClient:
    return TableClient.from_connection_string(azurite.connection_string, table_name=unique_name)


@pytest.fixture(params=["azurite", "fake"])
def store(request: pytest.FixtureRequest) -> SweptStore:
    if request.param == "fake":
        return FakeStore()
    table: TableClient = request.getfixturevalue("table")
    return EntryStore(table)
