"""The store under test: the real one against Azurite, and the in-memory one the unit tests use, so that the
same tests hold both to the same behaviour and the stand-in cannot drift from what it stands in for."""

from __future__ import annotations

from typing import Protocol

import pytest
from azure.data.tables import TableClient

from interactions.notes import NoteCipher
from interactions.ports import Expiring, Store
from interactions.store import EntryStore
from local.azurite import Azurite
from tests.conftest import PSEUDONYM_KEY
from tests.fakes import FakeStore

NOTES = NoteCipher(PSEUDONYM_KEY.encode())


class SweptStore(Store, Expiring, Protocol):
    """The store as the use cases and the retention sweep use it."""


@pytest.fixture
def table(azurite: Azurite, unique_name: str) -> TableClient:
    return TableClient.from_connection_string(azurite.connection_string, table_name=unique_name)


def counted_table(azurite: Azurite, name: str) -> tuple[TableClient, list[str]]:
    """A client of the table that lists the method of each request it sends."""
    requests: list[str] = []
    table = TableClient.from_connection_string(
        azurite.connection_string,
        table_name=name,
        raw_request_hook=lambda request: requests.append(request.http_request.method),
    )
    return table, requests


@pytest.fixture(params=["azurite", "fake"])
def store(request: pytest.FixtureRequest) -> SweptStore:
    if request.param == "fake":
        return FakeStore()
    table: TableClient = request.getfixturevalue("table")
    return EntryStore(table, NOTES)
