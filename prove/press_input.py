"""Bad input at the endpoints of the app's buttons and Home tab, /api/slack/interactions and /api/slack/events,
on the running hosts. Every request starts from what Slack would send for a control the app really rendered
(a log's Undo, the dashboard's menus and Clear, in a message, a modal and the Home tab) or for a member opening
the Home tab, and is then spoiled: unsigned, stale, replayed or too large (refused); not what Slack sends, or
carrying a value the app did not write (400, nothing queued); of another kind than the app handles (200, left
alone); or changed at random. Each group has members of its own, whose messages, views and entries must be
left as they were; a random change's answer is traced by its response_url or the member it names."""

from __future__ import annotations

import copy
import json
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from interactions.pseudonym import log_tag
from interactions.slack import actions, texts
from interactions.slack.request import MAX_PAYLOAD_BYTES
from local.slack_standin import Shown
from prove import spoil
from prove.env import Stack
from prove.presses import Json, Member, Pressable, Presser, hooks, member, pressables, settle
from prove.report import Row
from prove.traffic import People

SECTION = "presses and events at the HTTP front: bad input"
DROPPED_PRESS = "Dropped a press"  # the worker's line for a press the front should have refused
# An Undo of a log that is not the presser's: someone else's, or one the presser never had (twice: "already").
OTHERS_TOLD = (texts.NOT_YOUR_LOG, texts.NOTHING_LEFT_TO_UNDO, texts.ALREADY_UNDONE)


@dataclass
class Fuzz:
    presser: Presser
    people: People
    rng: random.Random
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    wrong: Counter[str] = field(default_factory=Counter)  # answers outside what the kind calls for
    traced: list[tuple[int, str | None, str | None]] = field(default_factory=list)  # status, ref, Home tab's user
    replays: list[str] = field(default_factory=list)  # refs of the first copies
    events: list[str] = field(default_factory=list)  # event ids Slack retried
    others: list[str] = field(default_factory=list)  # refs of presses with values naming another's log
    turns: Counter[str] = field(default_factory=Counter)
    refs: int = 0

    def add(self, group: str, status: int, expected: tuple[int, ...], right: bool = True) -> None:
        """One answer of ``group``; wrong unless its status is one of ``expected`` and it was ``right``."""
        self.statuses.setdefault(group, Counter())[status] += 1
        self.wrong[group] += status not in expected or not right

    def turn(self, kind: str, ways: int) -> int:
        """Which of ``ways`` ways to spoil a request of ``kind`` comes next: each in turn, so that a run of
        a few hundred requests tries every one."""
        self.turns[kind] += 1
        return (self.turns[kind] - 1) % ways

    def ref(self) -> str:
        self.refs += 1
        return f"pi{self.refs:05d}"

    def spread(self, group: str) -> str:
        seen = self.statuses.get(group, Counter())
        return (
            f"{sum(seen.values()) - self.wrong[group]} of {sum(seen.values())} ("
            + ", ".join(f"{status}×{n}" for status, n in sorted(seen.items()))
            + ")"
        )


def press_input(stack: Stack, people: People, requests: int, seed: int = 11) -> list[Row]:
    presser = Presser(stack)
    victim, refused, mutant, replayer = (member(presser, people) for _ in range(4))
    fuzz = Fuzz(presser, people, random.Random(seed))  # noqa: S311 - reproducible noise, not a secret
    before = {m.user.id: m.state(stack) for m in (victim, refused)}
    dropped, starts = stack.worker.log.count(DROPPED_PRESS), stack.worker.starts
    moves: list[Callable[[], None]] = [
        lambda: _not_slacks(fuzz, victim),
        lambda: _shape(fuzz, refused),
        lambda: _shape(fuzz, refused),
        lambda: _forged(fuzz, refused),
        lambda: _ignored(fuzz, refused),
        lambda: _event(fuzz, refused),
        lambda: _others_values(fuzz, mutant, victim),
        lambda: _replayed(fuzz, replayer),
        lambda: _random(fuzz, mutant),
        lambda: _random(fuzz, mutant),
        lambda: _random(fuzz, mutant),
    ]
    for index in range(requests):
        moves[index % len(moves)]()
    settle(stack, lambda: True)
    time.sleep(2)  # anything queued by mistake has been carried out by now
    labels = {victim.user.id: "the one pressed for by others or unsigned", refused.user.id: "the one refused"}
    changed = [labels[m.user.id] for m in (victim, refused) if m.state(stack) != before[m.user.id]]
    carried_out = _carried_out(stack, fuzz)
    good = _good_press(presser, people)
    alive = stack.worker.process is not None and stack.worker.process.poll() is None and stack.worker.starts == starts
    errors = sum(n for seen in fuzz.statuses.values() for status, n in seen.items() if status >= 500 or status == 0)
    total = sum(sum(seen.values()) for seen in fuzz.statuses.values())
    answered_once = sum(len(hooks(stack, ref)) == 1 for ref in fuzz.replays)
    told = [hooks(stack, ref)[-1:] for ref in fuzz.others]
    told_right = sum(bool(said) and said[0] in OTHERS_TOLD for said in told)
    published = sum(1 for c in stack.slack.calls() if c.method == "views.publish" and c.user == replayer.user.id)
    refused_random = sum(1 for status, _, _ in fuzz.traced if 400 <= status < 500)
    dropped = stack.worker.log.count(DROPPED_PRESS) - dropped

    def check(figure: str, group: str) -> Row:
        return Row.check(SECTION, figure, fuzz.spread(group), fuzz.wrong[group] == 0 and group in fuzz.statuses)

    return [
        Row.check(SECTION, "5xx or no HTTP answer", f"{errors} of {total}", errors == 0, count=errors),
        check("unsigned, badly signed, stale → 401; too large → 413", "not Slack's"),
        check("replayed copies of a signed press or event → 401", "replayed"),
        check("their first copies → 200", "first copies"),
        Row.check(
            SECTION,
            "each first copy of a press answered once",
            f"{answered_once} of {len(fuzz.replays)}",
            answered_once == len(fuzz.replays) > 0,
        ),
        check("Slack's retries of an event (signed anew, same event_id) → 200", "retried"),
        Row.check(
            SECTION,
            "the Home tab published once per event, however often retried",
            f"{published} for {len(fuzz.events) + 1} events",
            published == len(fuzz.events) + 1,
        ),
        check("signed, not what Slack sends (bad JSON, types, missing fields, foreign response_url) → 400", "shape"),
        check("signed, a value the app did not write (forged, too long, odd Unicode) → 400", "forged"),
        check("signed, unknown action ids, other payload types, events and tabs → 200, left alone", "ignored"),
        check("signed events not as Slack sends them → 400", "event shape"),
        check("url_verification → 200 with the challenge; without a usable one → 400", "url_verification"),
        check("well-formed values naming another member's log → 200", "others' values"),
        Row.check(
            SECTION,
            'those told "only the member who logged this", "nothing was left" or "already undone"',
            f"{told_right} of {len(fuzz.others)}",
            told_right == len(fuzz.others) > 0,
        ),
        Row.check(
            SECTION,
            "members whose messages, views or entries changed (unsigned, refused, ignored, others' values)",
            "; ".join(changed) or 0,
            not changed,
        ),
        check("random changes to real signed presses and events → 200, 400 or 413", "random"),
        Row.check(
            SECTION,
            "random changes refused, yet answered or published",
            f"{carried_out} of {refused_random}",
            carried_out == 0,
        ),
        Row.check(
            SECTION, "presses the worker dropped as not the app's (the front refuses them)", dropped, not dropped
        ),
        Row.check(
            SECTION,
            "worker still the same process; a good Undo and Home tab afterwards",
            "yes" if alive and good else "no",
            alive and good,
        ),
    ]


def _pick(fuzz: Fuzz, member: Member, kinds: tuple[str, ...] = ("message", "modal", "home")) -> Pressable:
    return fuzz.rng.choice([p for p in member.controls if p.shown.kind in kinds])


def _press_payload(fuzz: Fuzz, member: Member) -> Json:
    return fuzz.presser.payload(_pick(fuzz, member), fuzz.ref())


# --- Spoiled ---------------------------------------------------------------------------------------------------


def _not_slacks(fuzz: Fuzz, victim: Member) -> None:
    """The victim's own presses (Clear and Undo among them) and events, unsigned, badly signed, stale or too
    large: none may do anything."""
    presser, rng = fuzz.presser, fuzz.rng
    is_event = rng.random() < 0.3
    body = (
        presser.json_body(presser.event(victim.user.id, f"Ev{fuzz.ref().upper()}"))
        if is_event
        else presser.form(_press_payload(fuzz, victim))
    )
    headers = presser.signed(body, json_type=is_event)
    ways = ["unsigned", "other secret", "v1", "empty stamp", "stamp text", "stale", "body changed", "big"]
    spoilt = ways[fuzz.turn("not Slack's", len(ways))]
    expected: tuple[int, ...] = (401,)
    if spoilt == "unsigned":
        headers = {"Content-Type": headers["Content-Type"]}
    elif spoilt == "other secret":
        headers["X-Slack-Signature"] = f"v0={rng.getrandbits(256):064x}"
    elif spoilt == "v1":
        headers["X-Slack-Signature"] = headers["X-Slack-Signature"].replace("v0=", "v1=")
    elif spoilt in ("empty stamp", "stamp text"):
        headers["X-Slack-Request-Timestamp"] = "" if spoilt == "empty stamp" else "soon"
    elif spoilt == "stale":
        stamp = int(time.time()) + rng.choice([-1, 1]) * rng.randrange(301, 10**6)
        headers = presser.signed(body, stamp, json_type=is_event)
    elif spoilt == "body changed":
        body = presser.json_body(presser.event(victim.user.id, "Ev0CHANGED")) if is_event else _clear_form(fuzz, victim)
    elif fuzz.statuses.get("not Slack's", Counter())[413] < 6:  # a few: each is 5 MB
        body += b" " * (MAX_PAYLOAD_BYTES - len(body) + 1 + rng.randrange(64 * 1024))
        headers = presser.signed(body, json_type=is_event) if rng.random() < 0.5 else headers
        expected = (413,)
    else:
        headers = {"Content-Type": headers["Content-Type"]}
    post = presser.post_event if is_event else presser.post_press
    fuzz.add("not Slack's", post(body, headers)[0], expected)


def _clear_form(fuzz: Fuzz, victim: Member) -> bytes:
    clear = next(p for p in victim.controls if p.control.action_id == actions.CLEAR)
    return fuzz.presser.form(fuzz.presser.payload(clear, fuzz.ref()))


def _shape(fuzz: Fuzz, member: Member) -> None:
    _name, spoiler = spoil.SHAPES[fuzz.turn("shape", len(spoil.SHAPES))]
    spoiled = None
    while spoiled is None:  # a press of a kind it applies to: some spoil only a message's, or a view's
        spoiled = spoiler(_press_payload(fuzz, member))
    fuzz.add("shape", fuzz.presser.post_press(fuzz.presser.form(spoiled))[0], (400,))


def _forged(fuzz: Fuzz, member: Member) -> None:
    payload = _press_payload(fuzz, member)
    good = spoil.value_of(payload)
    is_undo = payload["actions"][0]["action_id"] == actions.UNDO
    forged = spoil.forged_undo(fuzz.rng, good) if is_undo else spoil.forged_dashboard(fuzz.rng, good)
    fuzz.add("forged", fuzz.presser.post_press(fuzz.presser.form(spoil.set_value(payload, forged)))[0], (400,))


def _ignored(fuzz: Fuzz, member: Member) -> None:
    payload = _press_payload(fuzz, member)
    if fuzz.rng.random() < 0.5:
        payload["actions"][0]["action_id"] = fuzz.rng.choice(spoil.UNKNOWN_ACTIONS)
    else:
        payload["type"] = fuzz.rng.choice(spoil.OTHER_TYPES)
    fuzz.add("ignored", fuzz.presser.post_press(fuzz.presser.form(payload))[0], (200,))


def _event(fuzz: Fuzz, member: Member) -> None:
    """The member's Home tab opened, spoiled: another event or tab (200), a malformed one (400); or Slack's
    check of the URL, well formed (200 and the challenge) or not (400)."""
    presser, rng = fuzz.presser, fuzz.rng
    event = presser.event(member.user.id, f"Ev{fuzz.ref().upper()}")
    roll = fuzz.turn("event", 6)  # half of them malformed: the most ways to go wrong
    if roll == 0:
        challenge = rng.choice([spoil.odd_text(rng, 40), "c" * 255])
        status, body = presser.post_event(presser.json_body({"type": "url_verification", "challenge": challenge}))
        echoed = status == 200 and json.loads(body or b"null") == {"challenge": challenge}
        fuzz.add("url_verification", status, (200,), right=echoed)
        return
    if roll == 1:
        unusable: Any = rng.choice([None, "", 42, "c" * 256, ["c"]])
        verification: Json = {"type": "url_verification", "challenge": unusable}
        fuzz.add("url_verification", presser.post_event(presser.json_body(verification))[0], (400,))
        return
    if roll == 2:
        other: Any = copy.deepcopy(event)
        if rng.random() < 0.5:
            other["event"]["tab"] = rng.choice(spoil.OTHER_TABS)
        elif rng.random() < 0.5:
            other["event"]["type"] = rng.choice(spoil.OTHER_EVENTS)
        else:
            other["type"] = rng.choice(["app_rate_limited", "", "event_callback2"])
        fuzz.add("ignored", presser.post_event(presser.json_body(other))[0], (200,))
        return
    inner: Json = event["event"]
    spoiled: list[Any] = [
        json.dumps(event)[:-3],
        [event],
        spoil.deeply_nested("event_callback"),
        event | {"event": "app_home_opened"},
        {k: v for k, v in event.items() if k != "event"},
        {k: v for k, v in event.items() if k != "event_id"},
        event | {"event_id": 17},
        event | {"team_id": None},
        event | {"event": inner | {"user": "u0lower"}},
        event | {"event": {k: v for k, v in inner.items() if k != "user"}},
    ]
    chosen = spoiled[fuzz.turn("event shape", len(spoiled))]
    fuzz.add("event shape", presser.post_event(presser.json_body(chosen))[0], (400,))


def _others_values(fuzz: Fuzz, presser_member: Member, victim: Member) -> None:
    """An Undo value naming the victim's log (as the presser's, or as the victim's), pressed by another member:
    taken, answered to the presser, and nothing of the victim's touched."""
    undo = next(p for p in presser_member.controls if p.control.action_id == actions.UNDO)
    target = actions.parse_undo(fuzz.rng.choice(victim.undo_values))
    if fuzz.rng.random() < 0.5:
        target = actions.UndoTarget(
            target.command_id, target.at, target.count, log_tag(presser_member.owner, target.command_id)
        )
    ref = fuzz.ref()
    payload = spoil.set_value(fuzz.presser.payload(undo, ref), actions.undo_value(target))
    fuzz.add("others' values", fuzz.presser.post_press(fuzz.presser.form(payload))[0], (200,))
    fuzz.others.append(ref)


def _replayed(fuzz: Fuzz, member: Member) -> None:
    """A signed press (a menu of the dashboard in a message) sent again as it was; or the member's Home tab
    opened, then Slack's retry of that event (signed anew), then the retry sent again as it was."""
    presser = fuzz.presser
    if fuzz.rng.random() < 0.5:
        pressable = _pick(fuzz, member, ("message",))
        while pressable.control.action_id == actions.UNDO or pressable.control.action_id == actions.CLEAR:
            pressable = _pick(fuzz, member, ("message",))
        ref = fuzz.ref()
        body = presser.form(presser.payload(pressable, ref))
        headers = presser.signed(body)
        fuzz.add("first copies", presser.post_press(body, headers)[0], (200,))
        fuzz.replays.append(ref)
        for _ in range(fuzz.rng.randrange(1, 3)):
            fuzz.add("replayed", presser.post_press(body, headers)[0], (401,))
        return
    event_id = f"Ev{fuzz.ref().upper()}"
    body = presser.json_body(presser.event(member.user.id, event_id))
    fuzz.add("first copies", presser.post_event(body)[0], (200,))
    fuzz.events.append(event_id)
    retry = presser.signed(body, int(time.time()) + 1, json_type=True)
    retry |= {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    fuzz.add("retried", presser.post_event(body, retry)[0], (200,))
    fuzz.add("replayed", presser.post_event(body, retry)[0], (401,))


def _random(fuzz: Fuzz, member: Member) -> None:
    """A real press or Home tab event with one to three random changes. Its answer is traced: a press in a
    message by its response_url's reference, a press on the Home tab or an event by the member it names, a
    member made up for it alone."""
    presser = fuzz.presser
    stranger = fuzz.people.add_user().id
    if fuzz.rng.random() < 0.25:
        body = presser.json_body(spoil.mutated(fuzz.rng, presser.event(stranger, f"Ev{fuzz.ref().upper()}")))
        status = presser.post_event(body)[0]
        fuzz.traced.append((status, None, stranger))
    else:
        pressable, ref = _pick(fuzz, member), fuzz.ref()
        home = pressable.shown.kind == "home"
        payload = presser.payload(pressable, ref, user=stranger if home else None)
        status = presser.post_press(presser.form(spoil.mutated(fuzz.rng, payload)))[0]
        fuzz.traced.append((status, ref if pressable.shown.kind == "message" else None, stranger if home else None))
    fuzz.add("random", status, (200, 400, 413))


def _carried_out(stack: Stack, fuzz: Fuzz) -> int:
    """Random changes refused (4xx), yet answered through their response_url or published to their member."""
    calls = stack.slack.calls()
    answered = {c.ref for c in calls if c.method == "hook"}
    published = {c.user for c in calls if c.method == "views.publish"}
    return sum(
        1
        for status, ref, user in fuzz.traced
        if 400 <= status < 500 and ((ref is not None and ref in answered) or (user is not None and user in published))
    )


def _good_press(presser: Presser, people: People) -> bool:
    """After it all, a member logs, presses Undo on the answer, and opens their Home tab: each answered."""
    user = people.add_user()
    logged = presser.command(user, people.log(user))
    undo = next((p for p in pressables(user.id, logged) if p.control.action_id == actions.UNDO), None)
    if undo is None:
        return False
    ref = "pigood"
    if presser.press(undo, ref) != 200 or not settle(presser.stack, lambda: hooks(presser.stack, ref), 30):
        return False
    undone: Shown = presser.stack.slack.shown(user.id)[undo.shown.index]
    home = presser.open_home(user.id, "Ev0GOODPRESS")
    return undone.text().startswith("Undone.") and home is not None
