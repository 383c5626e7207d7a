"""From what a user types to what they read back: any log the grammar accepts is stored and read from Azurite
with the same people, in the same order, with the same ratings. Texts are made from people and ratings, as
Slack sends them (``& < >`` escaped, mentions as ``<@U123>`` or ``<@U123|name>``)."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from interactions import grammar
from interactions.model import BIDI_CONTROLS, MAX_NAME_LENGTH, MAX_PEOPLE, Log
from interactions.modes import VIEW_WORDS
from interactions.storage_account import StorageAccount
from interactions.store import EntryStore
from local.azurite import Azurite

pytestmark = pytest.mark.integration

CALLER = "U0CALLER"
AT = datetime(2026, 11, 26, 9, 30, 0, 250000, tzinfo=UTC)
ROUND_TRIPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
KEYWORDS = ("help", "clear")

Typed = tuple[str, bool, int]  # (name as typed or user id, mention, rating)


def _word_ok(word: str) -> bool:
    """A word the grammar keeps as typed: not a rating, no rating glued to its end."""
    return word[-1] not in grammar.RATING_SIGNS


words = st.text(
    # Double quotes mark a name as a name, and bidi controls are removed from names (both tested on their own
    # in tests/unit/test_grammar.py).
    alphabet=st.characters(
        exclude_categories=["Cs"],
        exclude_characters="".join(grammar.RATING_SIGNS) + '"“”' + "".join(BIDI_CONTROLS),
    ),
    min_size=1,
    max_size=12,
).filter(lambda w: not any(c.isspace() for c in w))
mixed_words = st.one_of(words, st.sampled_from(["x' or PartitionKey ne 'y", "a/b\\c#d?e", "&amp;", "<@U0X>", "<#C1>"]))


@st.composite
def typed_names(draw: st.DrawFn) -> str:
    """A free-text name: words joined by single spaces, in NFC, at most MAX_NAME_LENGTH long."""
    name = " ".join(draw(st.lists(mixed_words, min_size=1, max_size=4)))
    name = " ".join(name.split())  # the sampled words may hold spaces of their own
    assume(name and unicodedata.normalize("NFC", name) == name and len(name) <= MAX_NAME_LENGTH)
    assume(all(_word_ok(word) for word in name.split()))
    assume(any(unicodedata.category(c) != "Cf" for c in name))  # something visible: else refused as invisible
    return name


user_ids = st.from_regex(r"[UW][A-Z0-9]{2,10}", fullmatch=True).filter(lambda user: user != CALLER)
people = st.one_of(typed_names().map(lambda name: (name, False)), user_ids.map(lambda user: (user, True)))
ratings = st.sampled_from(sorted(grammar.RATING_SIGNS))
logs = st.lists(st.tuples(people, ratings), min_size=1, max_size=MAX_PEOPLE)


def slack_text(entries: list[tuple[tuple[str, bool], str]], labelled: bool) -> str:
    """The text as Slack sends it: what the user typed, escaped, with mentions in Slack's markup."""
    parts = []
    for (name, mention), sign in entries:
        if mention:
            parts.append(f"<@{name}|{name.lower()}>" if labelled else f"<@{name}>")
        else:
            parts.append(name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
        parts.append(sign)
    return " ".join(parts)


@pytest.fixture(scope="module")
def store(azurite: Azurite) -> Iterator[EntryStore]:
    table = "g" + uuid.uuid4().hex[:20]
    yield EntryStore.connect(StorageAccount(connection_string=azurite.connection_string), table)


def stored_and_read(store: EntryStore, log: Log) -> list[Typed]:
    """Store the log as the worker does, under a fresh owner, and read it back as a view does."""
    owner = uuid.uuid4().hex
    store.add(owner, uuid.uuid4().hex, AT, log.entries)
    return [(e.person.name, e.person.mention, e.rating) for e in store.entries(owner, AT - timedelta(days=1))]


def reads_as_a_view(entries: list[tuple[tuple[str, bool], str]]) -> bool:
    """Only names made of view options (a number, a view word) with their ratings: the text asks for a view."""
    return all(not mention and all(is_view_option(word) for word in name.split()) for (name, mention), _ in entries)


def is_view_option(word: str) -> bool:
    return (word.isascii() and word.isdigit()) or word.casefold() in VIEW_WORDS


@ROUND_TRIPS
@given(entries=logs, labelled=st.booleans())
def test_people_and_ratings_come_back_as_typed(
    store: EntryStore, entries: list[tuple[tuple[str, bool], str]], labelled: bool
) -> None:
    (first, mention), _ = entries[0]
    assume(mention or first.split()[0].casefold() not in KEYWORDS)  # "help +" is the help command, misused
    assume(not reads_as_a_view(entries))  # "90 +" is the last 90 days' positive logs: no log was meant

    parsed = grammar.parse(slack_text(entries, labelled), CALLER)

    expected = [(name, mention, grammar.RATING_SIGNS[sign]) for (name, mention), sign in entries]
    assert isinstance(parsed, Log)
    assert [(r.person.name, r.person.mention, r.rating) for r in parsed.entries] == expected
    assert stored_and_read(store, parsed) == expected


# Any text, mostly followed by a rating (sometimes glued to it, sometimes missing), so that many are logs.
any_names = st.one_of(st.text(min_size=1, max_size=15), st.sampled_from(["<@U0DON>", "<@W0X|x>", "90", "help"]))
any_signs = st.sampled_from([*grammar.RATING_SIGNS, " +", " -", "", " 7"])
texts = st.lists(st.tuples(any_names, any_signs).map("".join), max_size=8).map(" ".join)


@ROUND_TRIPS
@given(text=st.one_of(texts, st.text(max_size=200)))
def test_whatever_the_grammar_accepts_as_a_log_is_stored_as_parsed(store: EntryStore, text: str) -> None:
    try:
        parsed = grammar.parse(text, CALLER)
    except grammar.UsageError:
        event("usage error")
        return
    event(type(parsed).__name__)
    if not isinstance(parsed, Log):
        return

    expected = [(r.person.name, r.person.mention, r.rating) for r in parsed.entries]
    assert stored_and_read(store, parsed) == expected
