"""The bench writes its results into BENCHMARKS.md's marked section and nowhere else, and only a whole run's:
the file's prose is written by hand and must survive every run."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import run
from bench.report import BEGIN, END, Machine, Row, results_section, table, write_results

ROOT = Path(__file__).resolve().parents[2]
PROSE_BEFORE = "# Benchmarks\n\nWhy the figures matter, by hand.\n\n## Results\n\n"
PROSE_AFTER = "\n\nA note on the run, by hand.\n\n## Missed goals\n\nWhy, by hand.\n"


def results_file(tmp_path: Path, section: str = "- old machine\n\n| old | table |") -> Path:
    path = tmp_path / "BENCHMARKS.md"
    path.write_text(f"{PROSE_BEFORE}{BEGIN}\n{section}\n{END}{PROSE_AFTER}", encoding="utf-8")
    return path


def test_a_run_replaces_the_section_and_leaves_the_prose_as_it_was(tmp_path: Path) -> None:
    path = results_file(tmp_path)
    section = "- new machine\n\n| new | table |"
    write_results(path, section)
    assert path.read_text(encoding="utf-8") == f"{PROSE_BEFORE}{BEGIN}\n{section}\n{END}{PROSE_AFTER}"


def test_a_second_run_replaces_the_first_runs_section(tmp_path: Path) -> None:
    path = results_file(tmp_path)
    write_results(path, "first")
    write_results(path, "second")
    text = path.read_text(encoding="utf-8")
    assert "first" not in text
    assert text.count(BEGIN) == text.count(END) == 1


def test_a_file_without_the_markers_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "BENCHMARKS.md"
    path.write_text(PROSE_BEFORE + PROSE_AFTER, encoding="utf-8")
    with pytest.raises(ValueError, match="no section for the results"):
        write_results(path, "anything")
    assert path.read_text(encoding="utf-8") == PROSE_BEFORE + PROSE_AFTER


def test_a_new_file_holds_the_section_alone(tmp_path: Path) -> None:
    path = tmp_path / "new.md"
    write_results(path, "the table")
    assert path.read_text(encoding="utf-8") == f"{BEGIN}\nthe table\n{END}\n"


def test_the_projects_results_file_has_the_section() -> None:
    text = (ROOT / "BENCHMARKS.md").read_text(encoding="utf-8")
    assert text.count(BEGIN) == 1
    assert text.count(END) == 1
    assert text.index(BEGIN) < text.index(END)


def test_the_section_is_the_machine_the_run_and_the_table_only() -> None:
    rows = [Row("ack-median", "ack, median", "1 ms", "1 ms", 1.0, "≤ 1.15", True, 1.15)]
    machine = Machine(2, "a CPU", "Linux", "CPython 3.12", "3.35.0", "20", "", "today", (0.0, 0.0, 0.0), "commit x")
    section = results_section(rows, machine, quick=True)
    assert section.splitlines()[: len(machine.lines())] == machine.lines()
    assert "--quick" in section.splitlines()[len(machine.lines())]
    assert section.endswith("\n\n" + table(rows))


def test_a_run_of_some_steps_cannot_write_the_results_file(tmp_path: Path) -> None:
    path = results_file(tmp_path)
    before = path.read_text(encoding="utf-8")
    with pytest.raises(SystemExit) as refused:
        run.main(["--only", "dashboard page", "--write", str(path)])
    assert refused.value.code == 2
    assert path.read_text(encoding="utf-8") == before


def test_an_unknown_step_is_refused_before_anything_is_measured(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        run.main(["--quick", "--only", "dashbord page"])
    assert "unknown step(s) dashbord page" in capsys.readouterr().err
