"""The figures, as one table: what was measured, its value, and whether it holds."""

from __future__ import annotations

from dataclasses import dataclass

OK, FAIL, INFO = "ok", "FAIL", "info"


@dataclass(frozen=True)
class Row:
    section: str
    figure: str
    value: str  # as printed
    verdict: str  # OK, FAIL or INFO
    count: int | None = None  # the value, when it is a count: for code to check without parsing the text
    part: str = ""  # which part of the run measured it (prove.run.PARTS), set as the run collects the rows

    @classmethod
    def check(cls, section: str, figure: str, value: object, holds: bool, count: int | None = None) -> Row:
        return cls(section, figure, str(value), OK if holds else FAIL, _count(value, count))

    @classmethod
    def info(cls, section: str, figure: str, value: object) -> Row:
        return cls(section, figure, str(value), INFO, _count(value, None))


def _count(value: object, count: int | None) -> int | None:
    if count is not None:
        return count
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def table(rows: list[Row]) -> str:
    """A Markdown table, readable as plain text too; the section is named once, on its first row."""
    header = ("", "figure", "value", "verdict")
    lines = [header]
    previous = None
    for row in rows:
        lines.append((row.section if row.section != previous else "", row.figure, row.value, row.verdict))
        previous = row.section
    widths = [max(len(line[i]) for line in lines) for i in range(4)]

    def render(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |"

    return "\n".join([render(lines[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(render, lines[1:])])


def failures(rows: list[Row]) -> list[Row]:
    return [row for row in rows if row.verdict == FAIL]
