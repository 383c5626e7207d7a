"""The log form's rules, without Slack: who it rates, the names field read as the command reads names, the
day met, the note, and each mistake under its field."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from interactions import grammar
from interactions import log_form as form
from interactions.model import NEGATIVE, POSITIVE, LogForm, Person, Rated

ME = "U0ME"
DON = Person("U0DON", mention=True)
MAELLE = Person("U0MAELLE", mention=True)
GUY = Person("Random Guy", mention=False)
DESK = Person("Help Desk", mention=False)
RECEIVED = datetime(2026, 12, 5, 13, 0, tzinfo=UTC)


def filled(**changes: object) -> form.Filled:
    fields: dict[str, object] = {
        "picked": (DON.name,),
        "names": "Random Guy",
        "ratings": {form.rating_field(DON): "+", form.rating_field(GUY): "-"},
        "met_on": "2026-12-05",
        "note": "",
    }
    fields.update(changes)
    return form.Filled(**fields)  # type: ignore[arg-type]


def test_a_filled_form_logs_each_person_with_their_rating_on_the_day_met() -> None:
    checked = form.check(filled(note="  Talked budgets  "), ME, RECEIVED)
    assert checked == form.FormLog((Rated(DON, POSITIVE), Rated(GUY, NEGATIVE)), date(2026, 12, 5), "Talked budgets")


def test_the_names_field_reads_names_as_the_command_does() -> None:
    named = grammar.form_names('Random Guy,  Help   Desk , "Smith, John",, \u201cTime\u201d')
    assert named == [GUY, DESK, Person("Smith, John", mention=False), Person("Time", mention=False)]
    assert grammar.form_names('"", Bob') == [grammar.InvisibleName(), Person("Bob", mention=False)]
    assert isinstance(grammar.form_names("x" * 81)[0], grammar.NameTooLong)


def test_the_word_log_alone_opens_the_form_and_changes_no_log_that_parses_today() -> None:
    assert grammar.parse("log", ME) == LogForm()
    assert grammar.parse("  LOG ", ME) == LogForm()
    assert grammar.parse("log +", ME) == grammar.parse('"log" +', ME)
    assert isinstance(grammar.parse('"log" -', ME), type(grammar.parse("Bob -", ME)))


def test_people_are_rated_once_each_whatever_the_case_of_their_name_and_never_the_member() -> None:
    shown = form.people(filled(picked=(DON.name, ME, DON.name), names="Random Guy, random  guy, Help Desk"), ME)
    assert shown == [DON, GUY, DESK]


@pytest.mark.parametrize(
    ("changes", "field", "mistake"),
    [
        ({"picked": (), "names": ""}, form.PEOPLE, form.Nobody()),
        ({"picked": (DON.name, ME)}, form.PEOPLE, form.Yourself()),
        ({"names": 'Random Guy, ""'}, form.NAMES, form.BadName(grammar.InvisibleName())),
        ({"ratings": {form.rating_field(GUY): "-"}}, form.PEOPLE, form.NotRated()),
        ({"ratings": {form.rating_field(DON): "+"}}, form.NAMES, form.NotRated()),
        ({"met_on": "2026-12-07"}, form.DATE, form.BadDate("future")),
        ({"met_on": "2025-12-04"}, form.DATE, form.BadDate("too long ago")),
        ({"met_on": None}, form.DATE, form.BadDate("missing")),
        ({"met_on": "5/12/2026"}, form.DATE, form.BadDate("missing")),
        ({"note": "é" * 501}, form.NOTE, form.NoteTooLong()),
    ],
)
def test_each_mistake_is_named_under_its_field(changes: dict[str, object], field: str, mistake: object) -> None:
    checked = form.check(filled(**changes), ME, RECEIVED)
    assert isinstance(checked, dict)
    assert checked[field] == mistake


def test_more_than_25_people_in_all_is_a_mistake() -> None:
    names = ", ".join(f"Person {n}" for n in range(25))
    checked = form.check(filled(names=names), ME, RECEIVED)
    assert isinstance(checked, dict) and checked[form.NAMES] == form.TooMany(26)


def test_today_anywhere_is_not_the_future_and_a_year_back_is_the_limit() -> None:
    late = datetime(2026, 12, 5, 23, 0, tzinfo=UTC)  # already the 6th in UTC+14, not yet the 7th anywhere
    assert isinstance(form.check(filled(met_on="2026-12-06"), ME, late), form.FormLog)
    assert form.date_range(late) == (date(2025, 12, 5), date(2026, 12, 6))
    early = datetime(2026, 12, 5, 5, 0, tzinfo=UTC)  # still the 4th in UTC-12: a year back is the 4th there
    assert isinstance(form.check(filled(met_on="2025-12-04"), ME, early), form.FormLog)
    assert form.date_range(early) == (date(2025, 12, 4), date(2026, 12, 5))


def test_a_note_is_at_most_500_characters_and_2000_code_points() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one character a person sees, five code points
    assert isinstance(form.check(filled(note=family * 400), ME, RECEIVED), form.FormLog)
    checked = form.check(filled(note=family * 401), ME, RECEIVED)
    assert isinstance(checked, dict) and checked[form.NOTE] == form.NoteTooLong()
    assert isinstance(form.check(filled(note="a" * 500), ME, RECEIVED), form.FormLog)


def test_a_meeting_today_is_kept_at_the_log_time_and_an_earlier_one_at_noon_utc() -> None:
    assert form.met_at(date(2026, 12, 5), RECEIVED) == RECEIVED
    assert form.met_at(date(2026, 12, 6), RECEIVED) == RECEIVED  # today already where the member is
    assert form.met_at(date(2026, 11, 30), RECEIVED) == datetime(2026, 11, 30, 12, tzinfo=UTC)


def test_a_form_is_its_members_alone() -> None:
    carried = form.metadata("owner-a", "f" * 32)
    assert form.is_owners("owner-a", carried)
    assert not form.is_owners("owner-b", carried)
    assert not form.is_owners("owner-a", "f" * 32 + "." + "0" * 16)
    assert not form.is_owners("owner-a", "")
