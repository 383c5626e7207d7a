"""What a user's entries add up to: pure functions over entries read newest first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum

from interactions.model import DAY_BUCKETS_UP_TO_DAYS, WEEK_BUCKETS_UP_TO_DAYS, Entry, Person


@dataclass
class Totals:
    positive: int = 0
    negative: int = 0

    @property
    def count(self) -> int:
        return self.positive + self.negative

    @property
    def percent_positive(self) -> int:
        return percent(self.positive, self.count)

    def add(self, rating: int) -> None:
        if rating > 0:
            self.positive += 1
        else:
            self.negative += 1


@dataclass
class PersonTotals(Totals):
    person: Person = field(default_factory=lambda: Person("", mention=False))
    last_at: datetime | None = None


class Period(Enum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass
class BucketTotals(Totals):
    start: date = date.min


def percent(part: int, whole: int) -> int:
    """Whole percent with halves rounded up (unlike round(), which rounds halves to even), but never to 0 or
    100 unless it is exactly that: 199 of 200 is 99%, not a 100% that the log just made contradicts."""
    if not whole:
        return 0
    rounded = (200 * part + whole) // (2 * whole)
    if 0 < part < whole:
        return min(max(rounded, 1), 99)
    return rounded


def totals(ratings: Iterable[int]) -> Totals:
    counted = Totals()
    for rating in ratings:
        counted.add(rating)
    return counted


def percent_positive(ratings: Iterable[int]) -> int:
    return totals(ratings).percent_positive


def combined(parts: Iterable[Totals]) -> Totals:
    total = Totals()
    for part in parts:
        total.positive += part.positive
        total.negative += part.negative
    return total


def by_person(entries: Iterable[Entry]) -> list[PersonTotals]:
    """Totals per person, the most met first. Free-text names that differ only in case are one person."""
    people: dict[tuple[bool, str], PersonTotals] = {}
    for entry in entries:
        key = (entry.person.mention, entry.person.name.casefold())
        totals = people.get(key)
        if totals is None:  # entries come newest first: the first one seen is the latest spelling
            totals = people[key] = PersonTotals(person=entry.person, last_at=entry.at)
        totals.add(entry.rating)
    return sorted(people.values(), key=lambda t: (-t.count, -(t.last_at or datetime.min).timestamp()))


def period_for(days: int) -> Period:
    if days <= DAY_BUCKETS_UP_TO_DAYS:
        return Period.DAY
    if days <= WEEK_BUCKETS_UP_TO_DAYS:
        return Period.WEEK
    return Period.MONTH


def bucket_start(day: date, period: Period) -> date:
    if period is Period.WEEK:
        return day - timedelta(days=day.weekday())  # weeks start on Monday (ISO 8601)
    if period is Period.MONTH:
        return day.replace(day=1)
    return day


def by_time(entries: Iterable[Entry], period: Period) -> list[BucketTotals]:
    """Totals per period that has entries, newest first."""
    buckets: dict[date, BucketTotals] = {}
    for entry in entries:
        start = bucket_start(entry.at.date(), period)
        buckets.setdefault(start, BucketTotals(start=start)).add(entry.rating)
    return sorted(buckets.values(), key=lambda b: b.start, reverse=True)


@dataclass(frozen=True)
class PersonFigures:
    """What a member's logs of one person add up to."""

    first_met: datetime | None
    last_met: datetime | None
    spans: tuple[tuple[int, Totals], ...]  # (30, ...), (90, ...), (365, ...)
    all_time: Totals
    months: tuple[BucketTotals, ...]  # the last 12 calendar months (UTC), oldest first, empty ones included


PERSON_SPANS = (30, 90, 365)
PERSON_MONTHS = 12


def person_figures(history: Iterable[tuple[datetime, int]], now: datetime) -> PersonFigures:
    """The figures of one person's history, read newest first: each entry's time and rating."""
    month = now.date().replace(day=1)
    starts = [month]
    for _ in range(PERSON_MONTHS - 1):
        starts.append((starts[-1] - timedelta(days=1)).replace(day=1))
    months = {start: BucketTotals(start=start) for start in reversed(starts)}
    spans = {days: Totals() for days in PERSON_SPANS}
    all_time = Totals()
    first_met = last_met = None
    for at, rating in history:
        last_met = last_met or at
        first_met = at
        all_time.add(rating)
        for days, counted in spans.items():
            if at >= now - timedelta(days=days):
                counted.add(rating)
        bucket = months.get(at.date().replace(day=1))
        if bucket is not None:
            bucket.add(rating)
    return PersonFigures(first_met, last_met, tuple(spans.items()), all_time, tuple(months.values()))
