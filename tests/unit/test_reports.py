"""What a user's entries add up to: percentages, totals per person and per period."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from interactions.model import Entry, Person
from interactions.reports import (
    BucketTotals,
    Period,
    Totals,
    bucket_start,
    by_person,
    by_time,
    combined,
    percent,
    period_for,
    person_figures,
)

NOW = datetime(2024, 3, 15, 12, 0, tzinfo=UTC)  # a Friday


def mention(user_id: str) -> Person:
    return Person(user_id, mention=True)


def named(name: str) -> Person:
    return Person(name, mention=False)


def entry(person: Person, rating: int, hours_ago: float = 0) -> Entry:
    return Entry(person, rating, NOW - timedelta(hours=hours_ago))


def newest_first(entries: list[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: e.at, reverse=True)


# --- percent -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (0, 0, 0),  # nothing logged: 0%, not a division by zero
        (0, 5, 0),
        (5, 5, 100),
        (1, 2, 50),
        (1, 8, 13),  # 12.5 rounds up
        (3, 8, 38),  # 37.5 rounds up
        (5, 8, 63),  # 62.5 rounds up (round() would give 62)
        (1, 200, 1),  # 0.5 rounds up
        (1, 3, 33),
        (2, 3, 67),
        (199, 200, 99),  # 99.5 would round to 100, which only all-positive may say
        (1, 1000, 1),  # 0.1 would round to 0, which only none-positive may say
        (1, 201, 1),
        (200, 201, 99),
    ],
)
def test_percent_rounds_halves_up(part: int, whole: int, expected: int) -> None:
    assert percent(part, whole) == expected


def test_totals_count_both_signs() -> None:
    totals = Totals()
    for rating in (1, 1, -1, 1, -1, 1, 1, 1):
        totals.add(rating)
    assert (totals.positive, totals.negative, totals.count) == (6, 2, 8)
    assert totals.percent_positive == 75


def test_empty_totals_are_zero_percent() -> None:
    assert Totals().percent_positive == 0


# --- by person -----------------------------------------------------------------------------------------


def test_by_person_adds_up_each_persons_entries() -> None:
    people = by_person(
        newest_first(
            [
                entry(mention("U1"), 1, hours_ago=1),
                entry(mention("U1"), -1, hours_ago=2),
                entry(mention("U1"), 1, hours_ago=3),
                entry(named("Bob"), -1, hours_ago=4),
            ]
        )
    )
    assert [(p.person, p.positive, p.negative, p.count, p.percent_positive) for p in people] == [
        (mention("U1"), 2, 1, 3, 67),
        (named("Bob"), 0, 1, 1, 0),
    ]


def test_by_person_last_at_is_the_latest_meeting() -> None:
    people = by_person(
        newest_first([entry(named("Ann"), 1, hours_ago=5), entry(named("Ann"), 1, hours_ago=50)]),
    )
    assert len(people) == 1
    assert people[0].last_at == NOW - timedelta(hours=5)


def test_free_text_names_differing_only_in_case_are_one_person_with_the_newest_spelling() -> None:
    people = by_person(
        newest_first(
            [
                entry(named("random guy"), 1, hours_ago=1),
                entry(named("Random Guy"), -1, hours_ago=2),
                entry(named("RANDOM GUY"), 1, hours_ago=3),
            ]
        )
    )
    assert len(people) == 1
    assert people[0].person == named("random guy")
    assert (people[0].positive, people[0].negative) == (2, 1)


def test_case_merge_handles_non_ascii_names() -> None:
    people = by_person(newest_first([entry(named("MAËLLE"), 1, 1), entry(named("Maëlle"), 1, 2)]))
    assert [(p.person.name, p.count) for p in people] == [("MAËLLE", 2)]


def test_a_mention_and_a_free_text_name_with_the_same_text_are_different_people() -> None:
    people = by_person(newest_first([entry(mention("U1"), 1, 1), entry(named("U1"), -1, 2)]))
    assert {(p.person, p.count) for p in people} == {(mention("U1"), 1), (named("U1"), 1)}


def test_by_person_lists_the_most_met_first_then_the_most_recent() -> None:
    people = by_person(
        newest_first(
            [
                entry(named("Once recently"), 1, hours_ago=1),
                entry(named("Twice"), 1, hours_ago=2),
                entry(named("Twice"), 1, hours_ago=30),
                entry(named("Once long ago"), -1, hours_ago=100),
                entry(named("Three times"), 1, hours_ago=10),
                entry(named("Three times"), -1, hours_ago=11),
                entry(named("Three times"), 1, hours_ago=12),
            ]
        )
    )
    assert [p.person.name for p in people] == ["Three times", "Twice", "Once recently", "Once long ago"]


def test_by_person_of_nothing_is_empty() -> None:
    assert by_person([]) == []


# --- by time -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "period"),
    [
        (1, Period.DAY),
        (14, Period.DAY),
        (15, Period.WEEK),
        (180, Period.WEEK),
        (181, Period.MONTH),
        (3650, Period.MONTH),
    ],
)
def test_period_for_a_span(days: int, period: Period) -> None:
    assert period_for(days) is period


@pytest.mark.parametrize(
    ("day", "period", "start"),
    [
        (date(2024, 3, 15), Period.DAY, date(2024, 3, 15)),
        (date(2024, 3, 15), Period.WEEK, date(2024, 3, 11)),  # Friday -> Monday
        (date(2024, 3, 11), Period.WEEK, date(2024, 3, 11)),  # Monday is its own week
        (date(2024, 3, 17), Period.WEEK, date(2024, 3, 11)),  # Sunday ends the week
        (date(2024, 1, 3), Period.WEEK, date(2024, 1, 1)),
        (date(2023, 1, 1), Period.WEEK, date(2022, 12, 26)),  # across a year
        (date(2024, 2, 29), Period.MONTH, date(2024, 2, 1)),
        (date(2024, 3, 1), Period.MONTH, date(2024, 3, 1)),
    ],
)
def test_bucket_start(day: date, period: Period, start: date) -> None:
    assert bucket_start(day, period) == start


def at(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_by_day_newest_first() -> None:
    entries = [
        Entry(named("A"), 1, at(2024, 3, 15, 23, 59)),
        Entry(named("B"), -1, at(2024, 3, 15, 0, 0)),
        Entry(named("C"), 1, at(2024, 3, 13, 9, 0)),
    ]
    assert by_time(entries, Period.DAY) == [
        BucketTotals(positive=1, negative=1, start=date(2024, 3, 15)),
        BucketTotals(positive=1, negative=0, start=date(2024, 3, 13)),
    ]


def test_by_week_weeks_start_on_monday() -> None:
    entries = [
        Entry(named("A"), 1, at(2024, 3, 18, 0, 0)),  # Monday: a new week
        Entry(named("B"), -1, at(2024, 3, 17, 23, 59)),  # Sunday: the week before
        Entry(named("C"), 1, at(2024, 3, 11, 0, 0)),  # Monday of that week
        Entry(named("D"), 1, at(2024, 3, 10, 12, 0)),  # Sunday: the week before that
    ]
    assert [(b.start, b.positive, b.negative) for b in by_time(entries, Period.WEEK)] == [
        (date(2024, 3, 18), 1, 0),
        (date(2024, 3, 11), 1, 1),
        (date(2024, 3, 4), 1, 0),
    ]


def test_by_month() -> None:
    entries = [
        Entry(named("A"), 1, at(2024, 3, 1, 0, 0)),
        Entry(named("B"), -1, at(2024, 2, 29, 23, 59)),
        Entry(named("C"), -1, at(2024, 2, 1, 0, 0)),
        Entry(named("D"), 1, at(2023, 12, 31, 12, 0)),
    ]
    assert [(b.start, b.positive, b.negative) for b in by_time(entries, Period.MONTH)] == [
        (date(2024, 3, 1), 1, 0),
        (date(2024, 2, 1), 0, 2),
        (date(2023, 12, 1), 1, 0),
    ]


def test_by_time_lists_only_periods_with_entries() -> None:
    entries = [Entry(named("A"), 1, at(2024, 3, 15, 8, 0)), Entry(named("A"), 1, at(2024, 3, 1, 8, 0))]
    assert [b.start for b in by_time(entries, Period.DAY)] == [date(2024, 3, 15), date(2024, 3, 1)]


def test_by_time_of_nothing_is_empty() -> None:
    assert by_time([], Period.WEEK) == []


# --- combined ------------------------------------------------------------------------------------------


def test_combined_adds_up_the_parts() -> None:
    total = combined([Totals(2, 1), BucketTotals(positive=0, negative=3), Totals(5, 0)])
    assert (total.positive, total.negative, total.count, total.percent_positive) == (7, 4, 11, 64)


def test_combined_people_equal_the_entries() -> None:
    entries = newest_first([entry(named(f"P{i % 7}"), 1 if i % 3 else -1, hours_ago=i) for i in range(100)])
    total = combined(by_person(entries))
    assert (total.positive, total.negative) == (
        sum(1 for e in entries if e.rating > 0),
        sum(1 for e in entries if e.rating < 0),
    )


def test_combined_of_nothing_is_zero() -> None:
    total = combined([])
    assert (total.count, total.percent_positive) == (0, 0)


def counts(totals: Totals) -> tuple[int, int]:
    return totals.positive, totals.negative


def test_a_person_never_met_has_no_dates_and_twelve_empty_months() -> None:
    figures = person_figures([], NOW)

    assert (figures.first_met, figures.last_met) == (None, None)
    assert [(days, counts(totals)) for days, totals in figures.spans] == [(30, (0, 0)), (90, (0, 0)), (365, (0, 0))]
    assert counts(figures.all_time) == (0, 0)
    assert [month.start for month in figures.months] == [date(2023, month, 1) for month in range(4, 13)] + [
        date(2024, month, 1) for month in (1, 2, 3)
    ]
    assert all(month.count == 0 for month in figures.months)


def test_each_span_holds_what_is_at_or_after_its_start_to_the_second() -> None:
    history = [
        (NOW, 1),
        (NOW - timedelta(days=30), -1),  # the first moment of the 30 days
        (NOW - timedelta(days=30, seconds=1), 1),
        (NOW - timedelta(days=90), 1),
        (NOW - timedelta(days=365), -1),
        (NOW - timedelta(days=365, seconds=1), 1),
        (NOW - timedelta(days=4000), -1),
    ]

    figures = person_figures(history, NOW)

    assert [(days, counts(totals)) for days, totals in figures.spans] == [
        (30, (1, 1)),
        (90, (3, 1)),
        (365, (3, 2)),
    ]
    assert counts(figures.all_time) == (4, 3)
    assert figures.all_time.percent_positive == 57
    assert (figures.first_met, figures.last_met) == (NOW - timedelta(days=4000), NOW)


def test_months_are_calendar_months_in_utc_with_those_of_no_meeting_kept() -> None:
    history = [
        (datetime(2024, 3, 1, 0, 0, tzinfo=UTC), 1),
        (datetime(2024, 2, 29, 23, 59, tzinfo=UTC), -1),
        (datetime(2024, 3, 1, 0, 30, tzinfo=timezone(timedelta(hours=2))), 1),  # 22:30 UTC on Feb 29
        (datetime(2023, 4, 1, tzinfo=UTC), 1),  # the oldest month shown
        (datetime(2023, 3, 31, 23, 59, tzinfo=UTC), 1),  # a month older: all time only
    ]

    figures = person_figures(history, NOW)

    shown = {month.start: counts(month) for month in figures.months}
    assert len(shown) == 12
    assert shown[date(2024, 3, 1)] == (1, 0)
    assert shown[date(2024, 2, 1)] == (1, 1)
    assert shown[date(2023, 4, 1)] == (1, 0)
    assert shown[date(2023, 12, 1)] == (0, 0)
    assert figures.all_time.count == 5
    assert figures.first_met == datetime(2023, 3, 31, 23, 59, tzinfo=UTC)


def test_the_first_and_last_meeting_do_not_depend_on_the_order_read() -> None:
    history = [(NOW - timedelta(days=3), 1), (NOW - timedelta(days=40), -1), (NOW - timedelta(days=1), 1)]

    figures = person_figures(history, NOW)

    assert (figures.first_met, figures.last_met) == (NOW - timedelta(days=40), NOW - timedelta(days=1))
