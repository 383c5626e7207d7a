"""Block Kit for every answer, within Slack's limits: 50 blocks in a message, 100 in a modal, 3000
characters in a text object. Longer reports end with "…and N more"."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock
from slack_sdk.models.views import View

from interactions.model import Entry, Rated
from interactions.reports import BucketTotals, Period, PersonTotals, Totals
from interactions.slack import texts
from interactions.slack.mrkdwn import escape, when, who

MESSAGE_BLOCKS = 50
MODAL_BLOCKS = 100
TEXT_CHARACTERS = 3000
BAR_WIDTH = 20


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


def summary(totals: Totals, rating: int | None = None) -> str:
    return texts.summary(totals.count, totals.positive, totals.negative, totals.percent_positive, rating)


def counted(totals: Totals, rating: int | None) -> list[str]:
    """A row's figures; under a rating filter only the count, the split and percentage being fixed."""
    if rating is not None:
        return [str(totals.count)]
    return [
        texts.counts(totals.count, totals.positive, totals.negative),
        texts.percent_positive(totals.percent_positive),
    ]


def logged(percent: int, rated: Iterable[Rated]) -> list[Block]:
    """The answer to a log: the percentage, then who was logged and how."""
    people = ", ".join(f"{who(item.person)} {texts.SIGNS[item.rating]}" for item in rated)
    return text_blocks(f"{texts.logged(percent)}\n{texts.logged_people(people)}")


def entry_rows(entries: Iterable[Entry], totals: Totals) -> Iterator[str]:
    """One row per entry; adds each to ``totals`` as it goes, so the summary needs no second pass."""
    for entry in entries:
        totals.add(entry.rating)
        yield f"{when(entry.at)} · {who(entry.person)} {texts.SIGNS[entry.rating]}"


def person_rows(people: Iterable[PersonTotals], rating: int | None = None) -> Iterator[str]:
    for person in people:
        last = when(person.last_at, "{date_short_pretty}") if person.last_at else ""
        yield " · ".join((who(person.person), *counted(person, rating), texts.last_met(last)))


def bucket_rows(buckets: list[BucketTotals], period: Period, rating: int | None = None) -> Iterator[str]:
    most = max((b.count for b in buckets), default=1)
    for bucket in buckets:
        positive_width = round(BAR_WIDTH * bucket.positive / most)
        negative_width = round(BAR_WIDTH * bucket.count / most) - positive_width
        bar = "█" * positive_width + "░" * negative_width
        label = texts.period_label(bucket.start, period.value)
        figures = counted(bucket, rating)
        yield f"`{label}` {bar} {' · '.join(figures)}"


def report(
    title: str,
    rows: Iterable[str],
    empty: str,
    max_blocks: int,
    totals: Totals | None = None,
    *,
    rating: int | None = None,
    note: str | None = None,
) -> list[Block]:
    """Title, then rows packed into sections; what does not fit is counted in "…and N more". ``note``, a
    word on how the command was read, comes under the title."""
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=f"*{escape(title)}*"))]
    if note:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=note)]))
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
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=summary(totals, rating))]))
    blocks.extend(SectionBlock(text=MarkdownTextObject(text=text)) for text in sections)
    if hidden:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=texts.more(hidden))]))
    return blocks


def modal(blocks: list[Block]) -> View:
    return View(type="modal", title=texts.MODAL_TITLE, close=texts.MODAL_CLOSE, blocks=blocks)


def text_modal(text: str) -> View:
    """A modal that says one thing: the loading one, or an apology in place of a report."""
    return modal(text_blocks(text))


def loading_modal() -> View:
    return text_modal(texts.LOADING)
