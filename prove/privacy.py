"""Privacy: a clear removes the user's entities and nobody else's; what is left on Azurite holds no
caller id, user name, workspace id or token; the logs of the whole run (both hosts, every restart, and the
harness's own) hold no user id, user name or command text."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from azure.core.exceptions import ResourceNotFoundError

from interactions import store
from interactions.pseudonym import LOG_TAG_LENGTH
from prove.env import Stack, Workspace
from prove.load import Load
from prove.report import Row
from prove.traffic import People, User

SECTION_CLEAR = "clear"
SECTION_STORE = "what is left on Azurite"
SECTION_LOGS = "the run's logs"
ENTRY_PROPERTIES = {"PartitionKey", "RowKey", "Timestamp", "Person", "Mention", "Rating", "At"}
PSEUDONYM = re.compile(r"[0-9a-f]{64}")
# Where the app remembers when each pseudonym last cleared (one row each, RowKey the pseudonym), which logs
# were undone (RowKey the pseudonym and the log's command id) and which events it carried out (RowKey Slack's
# event id), with nothing but the time: the only rows outside the users' own partitions that may be left.
WATERMARKS: str | None = getattr(store, "CLEARED_PARTITION", None)
UNDO_MARKERS: str | None = getattr(store, "UNDONE_PARTITION", None)
EVENT_MARKERS: str | None = getattr(store, "EVENTS_PARTITION", None)
# And which press of each member's view (RowKey a tag of the pseudonym and Slack's view id, from which neither
# can be read) was the newest carried out: its action_ts, the time.
PRESS_MARKERS: str | None = getattr(store, "PRESSES_PARTITION", None)
PRESS_MARKER_KEY = re.compile(rf"[0-9a-f]{{{LOG_TAG_LENGTH}}}")
PRESS_MARKER_PROPERTIES = {"PartitionKey", "RowKey", "Timestamp", "Pressed", "At"}
EVENT_MARKER_KEY = re.compile(r"Ev[0-9A-Za-z]{1,64}")
WATERMARK_PROPERTIES = {"PartitionKey", "RowKey", "Timestamp", "At"}
UNDO_MARKER_KEY = re.compile(r"[0-9a-f]{64}-[0-9A-Za-z]{1,64}")
_WORD = re.compile(r"[A-Za-z0-9]+")


@contextmanager
def capture_logging(path: Path) -> Iterator[None]:
    """The harness's own log lines go to ``path`` (scanned at the end like the hosts'), warnings to stderr.
    Whatever handled logging before, such as pytest's capture when a test runs the harness, is put back."""
    path.parent.mkdir(parents=True, exist_ok=True)
    to_file = logging.FileHandler(path, encoding="utf-8")
    to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    to_stderr = logging.StreamHandler(sys.stderr)
    to_stderr.setLevel(logging.WARNING)
    to_stderr.setFormatter(logging.Formatter(logging.BASIC_FORMAT))
    root, azure = logging.getLogger(), logging.getLogger("azure")
    before = (root.handlers[:], root.level, azure.level)
    root.handlers[:] = [to_file, to_stderr]
    root.setLevel(logging.INFO)
    azure.setLevel(logging.WARNING)  # the SDK logs each request's URL and headers at INFO
    try:
        yield
    finally:
        to_file.close()
        root.handlers[:], level, azure_level = before
        root.setLevel(level)
        azure.setLevel(azure_level)


@dataclass
class Known:
    """Everything the run made up that identifies someone or says what they typed."""

    callers: set[str] = field(default_factory=set)
    colleagues: set[str] = field(default_factory=set)  # mentioned in logs: stored as Person, by design
    names: set[str] = field(default_factory=set)  # user_name
    markers: set[str] = field(default_factory=set)  # each log's one-off person name: its command text
    typed: set[str] = field(default_factory=set)  # other names typed

    @classmethod
    def of(cls, everyone: Iterable[People]) -> Known:
        known = cls()
        for people in everyone:
            known.colleagues.update(people.colleagues)
            known.callers.update(user.id for user in people.users)
            known.names.update(user.name for user in people.users)
            for command in people.made:
                if command.marker:
                    known.markers.add(command.marker)
                # "Guest <marker>" is found by its marker; two letters ("Bo") would be found in any text.
                known.typed.update(
                    p.name for p in command.people if not p.mention and len(p.name) > 3 and p.name != command.guest
                )
        return known


def found(text: str, words: set[str]) -> int:
    """How many of ``words`` (each one run of [A-Za-z0-9]) occur in ``text`` as whole words."""
    return len(words & set(_WORD.findall(text)))


def found_literally(text: str, strings: Iterable[str]) -> int:
    return sum(1 for string in strings if string and string in text)


# --- Clear -----------------------------------------------------------------------------------------------


def clear_check(stack: Stack, people: People) -> list[Row]:
    """Two users log; one clears. Every entity but the leaver's must be left as it was, to the Timestamp."""
    leaver, stayer = people.add_user(), people.add_user()
    for user in (leaver, stayer):
        user.commands.extend(people.log(user) for _ in range(3))
    Load(stack, [leaver, stayer], concurrency=2).run().settle(timeout=60)
    owner = Load(stack, [], 1).caller.owner(leaver.id)
    before = _by_key(stack)
    mine = sum(1 for key in before if key[0] == owner)
    clearing = User(leaver.id, leaver.name, [people.remember(people.clear(leaver))])
    Load(stack, [clearing], concurrency=1).run().settle(timeout=60)
    after = _by_key(stack)
    left = sum(1 for key in after if key[0] == owner)
    others_before = {key: entity for key, entity in before.items() if key[0] != owner}
    return [
        Row.info(SECTION_CLEAR, "the user's entities before the clear", mine),
        Row.check(SECTION_CLEAR, "the user's entities after", left, mine > 0 and left == 0),
        Row.check(
            SECTION_CLEAR,
            "everyone else's entities unchanged",
            f"{len(after)} of {len(others_before)}",
            after == others_before,
        ),
    ]


def _by_key(stack: Stack) -> dict[tuple[str, str], tuple[dict[str, Any], str]]:
    """Every entry (the users' partitions, not the clear, undo, event and press markers) with its ETag, which
    any write changes."""
    return {
        (e["PartitionKey"], e["RowKey"]): (dict(e), str(e.metadata.get("etag")))
        for e in stack.table().list_entities()
        if e["PartitionKey"] not in (WATERMARKS, UNDO_MARKERS, EVENT_MARKERS, PRESS_MARKERS)
    }


def is_watermark(entity: dict[str, Any]) -> bool:
    """A clear's, an Undo's, an event's or a press's marker: its own partition, a key of pseudonym (and command
    id) or Slack's event or view id, the time (and a press's action_ts)."""
    partition, key = entity["PartitionKey"], str(entity["RowKey"])
    clear = bool(WATERMARKS) and partition == WATERMARKS and PSEUDONYM.fullmatch(key)
    undo = bool(UNDO_MARKERS) and partition == UNDO_MARKERS and UNDO_MARKER_KEY.fullmatch(key)
    event = bool(EVENT_MARKERS) and partition == EVENT_MARKERS and EVENT_MARKER_KEY.fullmatch(key)
    press = bool(PRESS_MARKERS) and partition == PRESS_MARKERS and PRESS_MARKER_KEY.fullmatch(key)
    if press:
        return set(entity) <= PRESS_MARKER_PROPERTIES
    return bool((clear or undo or event) and set(entity) <= WATERMARK_PROPERTIES)


# --- What is left on Azurite ----------------------------------------------------------------------------


@dataclass
class Dump:
    entities: list[dict[str, Any]] = field(default_factory=list)
    tables: int = 0
    queues: int = 0
    messages_left: int = 0
    messages: list[str] = field(default_factory=list)  # those that could be read (peeked)

    @classmethod
    def of(cls, stack: Stack) -> Dump:
        dump = cls()
        tables = stack.tables()
        for table in tables.list_tables():
            dump.tables += 1
            dump.entities.extend(dict(e) for e in tables.get_table_client(table.name).list_entities())
        queues = stack.queues()
        for queue in queues.list_queues():
            dump.queues += 1
            client = queues.get_queue_client(queue.name)
            try:
                dump.messages_left += client.get_queue_properties().approximate_message_count or 0
                dump.messages.extend(m.content for m in client.peek_messages(max_messages=32))
            except ResourceNotFoundError:
                continue
        return dump

    def text(self, keys_only: bool = False) -> str:
        """Every key (or every key and value) as text, one entity or message a line."""
        lines = [
            " ".join(str(v) for k, v in e.items() if not keys_only or k in ("PartitionKey", "RowKey"))
            for e in self.entities
        ]
        return "\n".join([*lines, *([] if keys_only else self.messages)])


def dump_check(stack: Stack, known: Known) -> list[Row]:
    dump = Dump.of(stack)
    everything, keys = dump.text(), dump.text(keys_only=True)
    secrets = stack.workspace.secrets()
    extra = {name for e in dump.entities if not is_watermark(e) for name in e} - ENTRY_PROPERTIES
    not_pseudonyms = sum(
        1 for e in dump.entities if not PSEUDONYM.fullmatch(str(e["PartitionKey"])) and not is_watermark(e)
    )
    return [
        Row.info(SECTION_STORE, "tables / entities", f"{dump.tables} / {len(dump.entities)}"),
        Row.check(
            SECTION_STORE, "queues / messages left", f"{dump.queues} / {dump.messages_left}", dump.messages_left == 0
        ),
        Row.check(
            SECTION_STORE, "properties beyond Person, Mention, Rating, At", ", ".join(sorted(extra)) or 0, not extra
        ),
        Row.check(
            SECTION_STORE,
            "PartitionKeys that are not a 64-hex pseudonym (clear, undo, event and press markers aside)",
            not_pseudonyms,
            not not_pseudonyms,
        ),
        Row.check(
            SECTION_STORE,
            "caller ids (anywhere) / user ids in keys",
            f"{found(everything, known.callers)} / {found(keys, known.callers | known.colleagues)}",
            not found(everything, known.callers) and not found(keys, known.callers | known.colleagues),
        ),
        Row.check(SECTION_STORE, "user names", found(everything, known.names), not found(everything, known.names)),
        Row.check(
            SECTION_STORE,
            "team, channel ids and names, tokens, secrets",
            found_literally(everything, secrets.values()),
            not found_literally(everything, secrets.values()),
        ),
    ]


def privacy(stack: Stack, everyone: list[People], people: People) -> list[Row]:
    rows = clear_check(stack, people)
    return [*rows, *dump_check(stack, Known.of(everyone))]


# --- Logs ------------------------------------------------------------------------------------------------


def logs_check(folder: Path, workspace: Workspace, everyone: list[People]) -> list[Row]:
    """Scan every log file of the run, once every process has stopped."""
    files = sorted((folder / "logs").glob("*.log"))
    text = "\n".join(path.read_text(encoding="utf-8", errors="replace") for path in files)
    known = Known.of(everyone)
    ids = found(text, known.callers | known.colleagues)
    names = found(text, known.names)
    typed = found(text, known.markers) + found_literally(text, known.typed)
    secrets = found_literally(text, workspace.secrets().values())
    # Every id, name and one-off name the run made up holds its scenario's tag: found even inside other words.
    tagged = sum(text.casefold().count(people.tag.casefold()) for people in everyone)
    lines = text.count("\n")
    return [
        Row.info(SECTION_LOGS, "files / lines scanned", f"{len(files)} / {lines}"),
        Row.check(
            SECTION_LOGS,
            "user ids (callers and mentioned)",
            f"{ids} of {len(known.callers | known.colleagues)}",
            ids == 0,
        ),
        Row.check(SECTION_LOGS, "user names", f"{names} of {len(known.names)}", names == 0),
        Row.check(
            SECTION_LOGS,
            "command text (each log's one-off name, each odd name)",
            f"{typed} of {len(known.markers) + len(known.typed)}",
            typed == 0,
        ),
        Row.check(SECTION_LOGS, "team, channel ids and names, tokens, secrets", secrets, secrets == 0),
        Row.check(SECTION_LOGS, "anything carrying the run's tag, even inside a word", tagged, tagged == 0),
    ]
