"""Block Kit for every answer, within Slack's limits: 50 blocks in a message, 100 in a modal, 3000
characters in a text object. Longer reports end with "…and N more"."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock
from slack_sdk.models.views import View

from interactions.grammar import Person
from interactions.reports import BucketTotals, Entry, Period, PersonTotals, Totals

MESSAGE_BLOCKS = 50
MODAL_BLOCKS = 100
TEXT_CHARACTERS = 3000
MODAL_TITLE = "Your interactions"
BAR_WIDTH = 20
_SIGNS = {1: "`+`", -1: "`−`"}


def escape(text: str) -> str:
    """User text shown literally in mrkdwn: Slack reads only & < > as markup to escape."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def who(person: Person) -> str:
    return f"<@{person.name}>" if person.mention else escape(person.name)


def when(at: datetime, date_format: str = "{date_short_pretty} {time}") -> str:
    """A time Slack shows in the reader's own time zone; the fallback is UTC."""
    return f"<!date^{int(at.timestamp())}^{date_format}|{at:%Y-%m-%d %H:%M} UTC>"


def text_blocks(text: str) -> list[Block]:
    return [SectionBlock(text=MarkdownTextObject(text=chunk)) for chunk in _chunks(text)]


def _chunks(text: str) -> list[str]:
    lines = text.split("\n")
    chunks: list[str] = []
    for line in lines:
        if chunks and len(chunks[-1]) + 1 + len(line) <= TEXT_CHARACTERS:
            chunks[-1] += "\n" + line
        else:
            chunks.extend(line[i : i + TEXT_CHARACTERS] for i in range(0, max(len(line), 1), TEXT_CHARACTERS))
    return chunks


def _span(days: int) -> str:
    return f"the last {days} days" if days != 1 else "the last day"


def _kind(rating: int | None) -> str:
    return {None: "", 1: " positive", -1: " negative"}[rating]


def heading(days: int, rating: int | None, aggregate: str = "") -> str:
    return f"Your{_kind(rating)} interactions{aggregate}, {_span(days)}"


def nothing_logged(days: int, rating: int | None) -> str:
    return f"No{_kind(rating)} interactions logged in {_span(days)}."


def summary(totals: Totals) -> str:
    count = totals.count
    return (
        f"{count} interaction{'s' if count != 1 else ''}: {totals.positive} `+`, {totals.negative} `−`, "
        f"{totals.percent_positive}% positive"
    )


def entry_rows(entries: Iterable[Entry], totals: Totals) -> Iterator[str]:
    """One row per entry; adds each to ``totals`` as it goes, so the summary needs no second pass."""
    for entry in entries:
        totals.add(entry.rating)
        yield f"{when(entry.at)} · {who(entry.person)} {_SIGNS[entry.rating]}"


def person_rows(people: Iterable[PersonTotals]) -> Iterator[str]:
    for person in people:
        last = when(person.last_at, "{date_short_pretty}") if person.last_at else ""
        yield (
            f"{who(person.person)} · {person.count} ({person.positive} `+`, {person.negative} `−`) · "
            f"{person.percent_positive}% positive · last {last}"
        )


def bucket_rows(buckets: list[BucketTotals], period: Period) -> Iterator[str]:
    most = max((b.count for b in buckets), default=1)
    for bucket in buckets:
        positive_width = round(BAR_WIDTH * bucket.positive / most)
        negative_width = round(BAR_WIDTH * bucket.count / most) - positive_width
        label = bucket.start.strftime("%Y-%m" if period is Period.MONTH else "%Y-%m-%d")
        if period is Period.WEEK:
            label = f"week of {label}"
        bar = "█" * positive_width + "░" * negative_width
        yield (
            f"`{label}` {bar} {bucket.count} ({bucket.positive} `+`, {bucket.negative} `−`) · "
            f"{bucket.percent_positive}% positive"
        )


def report(title: str, rows: Iterable[str], empty: str, max_blocks: int, totals: Totals | None = None) -> list[Block]:
    """Title, then rows packed into sections; what does not fit is counted in "…and N more"."""
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=f"*{escape(title)}*"))]
    room = max_blocks - len(blocks) - 2  # keep one block for the summary and one for "…and N more"
    sections: list[str] = []
    rows = iter(rows)
    hidden = 0
    for row in rows:
        if sections and len(sections[-1]) + 1 + len(row) <= TEXT_CHARACTERS:
            sections[-1] += "\n" + row
        elif len(sections) < room:
            sections.append(row[:TEXT_CHARACTERS])
        else:
            hidden = 1 + sum(1 for _ in rows)
    if not sections:
        return [*blocks, SectionBlock(text=MarkdownTextObject(text=empty))]
    if totals is not None:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=summary(totals))]))
    blocks.extend(SectionBlock(text=MarkdownTextObject(text=text)) for text in sections)
    if hidden:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f"…and {hidden} more")]))
    return blocks


def modal(blocks: list[Block]) -> View:
    return View(type="modal", title=MODAL_TITLE, close="Close", blocks=blocks)


def loading_modal() -> View:
    return modal([SectionBlock(text=MarkdownTextObject(text="Fetching your interactions…"))])
