"""One person's card: what a member logged of them, as the card shows it, read from the rows kept for that
person; and forgetting them.

A card pages its entries by the key of the first one shown, which the store reads from directly, so that a
page of a long history costs what a page of a short one does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from interactions import reports
from interactions.model import Entry, Person
from interactions.ports import Store
from interactions.reports import PersonFigures

CARD_ENTRIES = 10  # the latest entries a card shows; Older shows the next ones


@dataclass(frozen=True)
class PersonCard:
    person: Person  # as the member last named them
    figures: PersonFigures
    entries: list[Entry]  # newest first, with their notes
    start: str | None  # the key of the first entry shown; None: the latest
    older: str | None  # the key Older shows from; None when no entry is older


def read(store: Store, owner: str, person: Person, start: str | None, now: datetime) -> PersonCard:
    """The card of ``person`` as the store holds it now, its entries from the one keyed ``start``."""
    figures = reports.person_figures(store.person_history(owner, person), now)
    page = store.person_page(owner, person, start, CARD_ENTRIES)
    if not page.entries and start is not None:  # those entries have gone (undone, forgotten): the latest
        start, page = None, store.person_page(owner, person, None, CARD_ENTRIES)
    # A typed name as the member last spelled it: "random guy" opens Random Guy's card.
    named = page.entries[0].person if page.entries and start is None else person
    return PersonCard(named, figures, page.entries, page.first_key if start else None, page.next_key)


def forget(store: Store, owner: str, person: Person, at: datetime) -> tuple[int, PersonCard]:
    """Delete every entry the member logged about ``person`` up to ``at``: how many, and the card left."""
    count = store.forget(owner, person, at)
    return count, read(store, owner, person, None, at)
