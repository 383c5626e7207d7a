"""The reliability harness in its CI size, run in this process: load, the four faults, the clear racing a
redelivered log, Undo racing a redelivery of its log and a clear, bad commands, presses and events, and privacy
against the local host on Azurite. The test reads the figures the harness returns: any failed figure, part or
section missing, loss, duplicate, undone log come back or 5xx fails it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from prove import bad_input, press_input, privacy, undo_race
from prove.report import FAIL, Row, table
from prove.run import PARTS, Sizes, prove

LOADED = ("load", "kill", "azurite", "slack", "poison")  # each accounts for every command of its own load
SERVER_ERRORS = "5xx or no HTTP answer"
MUST_BE_ZERO = {
    "lost": LOADED,
    "duplicated": LOADED,
    SERVER_ERRORS: (*LOADED, "bad-input", "press-input"),
    "undone entries back after both settled": ("undo-race",),
    "entries left after all three settled": ("undo-race",),
}
SECTIONS = {  # the parts that report more than one section; every other part reports exactly one
    "undo-race": {undo_race.SECTION_REDELIVERY, undo_race.SECTION_CLEAR},
    "bad-input": {bad_input.SECTION_NAMES, bad_input.SECTION_QUEUE, bad_input.SECTION_HTTP},
    "privacy": {privacy.SECTION_CLEAR, privacy.SECTION_STORE, privacy.SECTION_LOGS},
}
SECTION_OF = {"bad-input": bad_input.SECTION_HTTP, "press-input": press_input.SECTION}  # where a 5xx is counted


def problems(rows: list[Row]) -> list[str]:
    """What is wrong with a run's figures, one line each: none when the run holds."""
    found = [f"{row.section}: {row.figure} is {row.value}" for row in rows if row.verdict == FAIL]
    for part in PARTS:
        sections = {row.section for row in rows if row.part == part}
        expected = SECTIONS.get(part)
        if (sections != expected) if expected else (len(sections) != 1):
            found.append(f"{part}: sections {sorted(sections)}, expected {sorted(expected or ['one'])}")
    for figure, parts in MUST_BE_ZERO.items():
        for part in parts:
            counts = [row.count for row in rows if row.part == part and row.figure == figure]
            if counts != [0]:
                found.append(f"{part}: {figure} {counts}, expected [0]")
    return found


@pytest.mark.e2e
def test_the_quick_harness_finds_nothing_lost_duplicated_or_leaked() -> None:
    rows = prove(Sizes.quick())

    assert problems(rows) == [], table(rows)


# --- The checks above, on made-up figures: each kind of problem is found -------------------------------


def holding() -> list[Row]:
    """The figures of a run that holds, reduced to what the checks read."""
    rows = []
    for part in PARTS:
        for section in sorted(SECTIONS.get(part) or {SECTION_OF.get(part, part)}):
            rows.append(replace(Row.info(section, "measured", 3), part=part))
    for figure, parts in MUST_BE_ZERO.items():
        for part in parts:
            section = SECTION_OF.get(part) or min(SECTIONS.get(part) or {part})
            rows.append(replace(Row.check(section, figure, "0 of 9", holds=True, count=0), part=part))
    return rows


def spoil(part: str, figure: str, count: int | None) -> Callable[[list[Row]], list[Row]]:
    """A figure with another count, its verdict still ok: the test must not trust the verdict alone."""
    return lambda rows: [replace(row, count=count) if (row.part, row.figure) == (part, figure) else row for row in rows]


def without(test: Callable[[Row], bool]) -> Callable[[list[Row]], list[Row]]:
    return lambda rows: [row for row in rows if not test(row)]


def test_a_run_that_holds_has_no_problems() -> None:
    assert problems(holding()) == []


@pytest.mark.parametrize(
    "change",
    [
        lambda rows: [*rows, replace(Row.check(privacy.SECTION_LOGS, "user names", "1 of 9", False), part="privacy")],
        spoil("load", "lost", 1),
        spoil("kill", "duplicated", 2),
        spoil("bad-input", SERVER_ERRORS, 3),
        spoil("press-input", SERVER_ERRORS, 1),
        spoil("undo-race", "undone entries back after both settled", 2),
        spoil("azurite", SERVER_ERRORS, None),  # not counted at all
        without(lambda row: row.part == "clear-race"),
        without(lambda row: row.section == undo_race.SECTION_CLEAR),
        without(lambda row: row.section == privacy.SECTION_LOGS),
        without(lambda row: (row.part, row.figure) == ("poison", "lost")),
        lambda rows: [*rows, replace(rows[0], section="another section")],
    ],
    ids=[
        "a failed figure",
        "a loss",
        "a duplicate",
        "a 5xx",
        "a 5xx to a press",
        "an undone log back",
        "a count missing",
        "a part missing",
        "a race missing",
        "a section missing",
        "a figure missing",
        "a section too many",
    ],
)
def test_each_kind_of_problem_is_found(change: Callable[[list[Row]], list[Row]]) -> None:
    assert problems(change(holding()))
