"""A member's pseudonym: one per workspace, or one across an Enterprise Grid org; never their ids."""

from __future__ import annotations

from datetime import UTC, datetime

from interactions.process import process
from interactions.pseudonym import owner_key
from interactions.queue_message import QueuedCommand
from interactions.slack.request import slash_command
from tests.fakes import FakeQueue, FakeSlack, FakeStore
from tests.unit.slash_commands import KEY, NOW, form, send

ENTERPRISE = "E0GRID"


def test_a_workspace_members_pseudonym_is_unchanged() -> None:
    # The value of the code before Grid orgs were known (HMAC-SHA256 of "T0TEAM:U0ME"), under which every
    # existing log is stored: were it to change, they would all be out of reach.
    assert owner_key(b"k", "T0TEAM", "U0ME") == "0c4bc461a4eadf13fc68e11d3f436c558e487d1accc140a65c275d43a617ab33"
    assert owner_key(b"k", "T0TEAM", "U0ME", None) == owner_key(b"k", "T0TEAM", "U0ME", "")


def test_in_a_grid_org_the_pseudonym_is_the_same_in_every_workspace() -> None:
    grid = owner_key(KEY, "T0ONE", "U0ME", ENTERPRISE)
    assert owner_key(KEY, "T0TWO", "U0ME", ENTERPRISE) == grid
    assert len(grid) == 64 and set(grid) <= set("0123456789abcdef")  # lowercase hex, as stored
    assert grid not in (owner_key(KEY, "T0ONE", "U0ME"), owner_key(KEY, ENTERPRISE, "U0ME"))
    assert owner_key(KEY, "T0ONE", "U0YOU", ENTERPRISE) != grid
    assert owner_key(KEY, "T0ONE", "U0ME", "E0OTHER") != grid


def test_the_grid_form_cannot_be_mistaken_for_another_input() -> None:
    # Separators inside the ids move nothing from one id to the other, nor make a workspace's input.
    assert owner_key(KEY, "T", "B/C", "A") != owner_key(KEY, "T", "C", "A/B")
    assert owner_key(KEY, "T", "B:C", "A") != owner_key(KEY, "T", "C", "A:B")
    assert owner_key(KEY, "enterprise", "41/55", "x") != owner_key(KEY, "T", "U", "A")


def test_the_form_yields_the_enterprise_id_only_when_slack_sends_one() -> None:
    assert slash_command(form("", enterprise_id=ENTERPRISE)).enterprise_id == ENTERPRISE
    assert slash_command(form("", enterprise_id="")).enterprise_id is None
    assert slash_command(form("")).enterprise_id is None


def test_one_member_in_two_workspaces_of_a_grid_org_sees_one_log() -> None:
    queue, store, slack = FakeQueue(), FakeStore(), FakeSlack()
    send(form("Alice +", team_id="T0ONE", enterprise_id=ENTERPRISE), queue)
    send(form("", team_id="T0TWO", enterprise_id=ENTERPRISE), queue, timestamp=NOW + 1)
    for message in queue.sent:
        process(message, store, slack, now=lambda: datetime.fromtimestamp(NOW + 2, UTC))

    (owner,) = store.rows
    assert owner == owner_key(KEY, "T0ONE", "U0ME", ENTERPRISE)
    assert [entry.person.name for entry in store.stored(owner)] == ["Alice"]
    assert "Alice" in slack.last.text


def test_without_an_enterprise_id_each_workspace_keeps_its_own_log() -> None:
    queue = FakeQueue()
    send(form("Alice +", team_id="T0ONE"), queue)
    send(form("Alice +", team_id="T0TWO"), queue, timestamp=NOW + 1)

    owners = [QueuedCommand.from_json(message).owner for message in queue.sent]
    assert owners == [owner_key(KEY, "T0ONE", "U0ME"), owner_key(KEY, "T0TWO", "U0ME")]
