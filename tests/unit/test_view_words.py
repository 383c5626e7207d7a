"""The views a member can ask for are the table's (``interactions.modes``) wherever they are written down
outside the code: in manifest.yml's usage hints, which Slack shows as the member types, and in README's list
of commands. A view added to the table, or one taken out, fails here until both say so."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from interactions import grammar
from interactions.model import View
from interactions.modes import VIEW_WORDS
from interactions.slack import texts

ROOT = Path(__file__).parents[2]
MANIFEST: dict[str, Any] = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))


def readme_commands() -> list[tuple[str, str]]:
    """README's list of commands, its first code block: each line's command and what it is said to do."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```\n", 2)[1]
    lines = [re.split(r"\s{2,}", line, maxsplit=1) for line in block.splitlines()]
    return [(command, said) for command, said in lines]


@pytest.mark.parametrize("hint", [command["usage_hint"] for command in MANIFEST["features"]["slash_commands"]])
def test_each_usage_hint_names_every_view_word_and_is_the_usage_the_app_answers_with(hint: str) -> None:
    forms = hint.split(" | ")
    assert f"[days] [{'|'.join(VIEW_WORDS)}] [+|-]" in forms
    assert [form for form in forms if f"`/interactions {form}`" not in texts.USAGE] == []
    assert len(forms) == texts.USAGE.count("`/interactions ")


def test_readme_lists_every_view_word_and_only_commands_the_app_takes() -> None:
    commands = readme_commands()
    # Each command as the app reads it: a word that no longer names a view is a log without a rating, refused.
    parsed = [grammar.parse(_mentioned(command.removeprefix("/interactions")), "U0ME") for command, _ in commands]
    asked = {
        word.casefold()
        for (command, _), read in zip(commands, parsed, strict=True)
        if isinstance(read, View)
        for word in command.split()
    }
    # What a line says in passing, as in "(or `time`: per day/week/month)": view words or signs, nothing else.
    named = {word for _, said in commands for word in re.findall(r"`([^`]+)`", said)}
    assert named - set(VIEW_WORDS) <= set(grammar.RATING_SIGNS)
    assert set(VIEW_WORDS) <= asked | named


def _mentioned(command: str) -> str:
    """A command as Slack sends it: ``@don`` picked from Slack's list arrives as a mention."""
    return re.sub(r"(?<!\S)@(\w+)", lambda name: f"<@U0{name.group(1).upper()}>", command)


@pytest.mark.parametrize(
    ("words", "said"),
    [
        (["+", "-"], "Choose one of `+` or `-`, not both."),
        (["person", "time"], "Choose one of `person` or `time`, not both."),
        (["person", "time", "place"], "Choose only one of `person`, `time` or `place`."),
    ],
)
def test_asking_for_one_choice_fits_however_many_there_are(words: list[str], said: str) -> None:
    assert texts.choose_one(words) == said
