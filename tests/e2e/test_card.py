"""End to end, one person's card: `/interactions @don` as a member types it, signed into the HTTP function, the
queue on Azurite, the worker and the store's rows kept for each person, and what reaches the Slack stand-in."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import App, text_of

pytestmark = pytest.mark.e2e

ME, DON = "U0ME", "U0DON"


def people_stored(app: App) -> list[str]:
    return sorted(entity["Person"] for entity in app.entries())


def test_a_card_shows_one_person_with_their_notes_and_forget_deletes_them_alone(modal_app: App) -> None:
    modal_app.command(ME, f"<@{DON}|don> + Random Guy + -- lunch about the budget")
    modal_app.command(ME, f"<@{DON}> -")

    shown = modal_app.command(ME, f"<@{DON}>")
    assert shown.kind == "modal"
    text = text_of(shown)
    assert "Your interactions with <@U0DON>" in text
    assert "All time: 2 (1 `+`, 1 `−`) · 50% positive" in text
    assert "lunch about the budget" in text
    assert "Random Guy" not in text

    forgotten = modal_app.press(ME, shown, "Forget this person")
    assert "Forgotten: 2 interactions with this person" in text_of(forgotten)
    assert people_stored(modal_app) == ["Random Guy"]
