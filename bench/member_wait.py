"""What a member waits for: from the POST of a signed command to the local host to its answer reaching the
Slack stand-in. The host is ``python -m local.host`` with the project's own host.json, so that it polls the
queue as deployed (backing off to ``maxPollingInterval`` while the queue is empty). The load is the
throughput figure's: as many log commands, 16 at a time; here 16 members, each sending their next command
once the answer to their last one arrived, as a member does."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from bench.env import COMMANDS_PATH, LOG_ANSWER, Bench, BenchFailure, unique
from bench.report import Row, plain_row
from bench.stats import median, percentile
from bench.throughput import CONCURRENCY, send_log, tail, warm_host
from local.slack_standin import Call

GOAL_SECONDS = 1.5  # the p95; Slack shows nothing for 3 s after the ack, and a member notices well before
ANSWER_TIMEOUT = 30.0


def member_wait(bench: Bench, commands: int) -> list[Row]:
    prefix = unique("U0W")  # members new to the table, whatever ran before
    members = [f"{prefix}{index:02d}" for index in range(CONCURRENCY)]
    refs = [f"wait{index:05d}" for index in range(commands)]  # each command's own response_url ending
    sent: dict[str, float] = {}

    with warm_host(bench, f"{prefix}WARMUP") as host:
        url = host.url(COMMANDS_PATH)

        def member(number: int) -> None:
            user = members[number]
            for count, ref in enumerate(refs[number::CONCURRENCY], start=1):
                sent[ref] = time.monotonic()
                if refusal := send_log(bench, url, user, ref):
                    raise BenchFailure(f"the local host refused a command: {refusal}\n{tail(host)}")
                if len(bench.slack.wait_for(user, count, timeout=ANSWER_TIMEOUT)) < count:
                    raise BenchFailure(f"a command was not answered in {ANSWER_TIMEOUT:g} s:\n{tail(host)}")

        with ThreadPoolExecutor(CONCURRENCY) as pool:
            list(pool.map(member, range(CONCURRENCY)))

    answers: dict[str, Call] = {}
    for call in bench.slack.calls():
        if call.method == "hook" and call.ref in sent:
            answers.setdefault(call.ref, call)
    wrong = [ref for ref in refs if ref not in answers or (answers[ref].status, answers[ref].text) != (200, LOG_ANSWER)]
    if wrong:
        raise BenchFailure(f"{len(wrong)} command(s) were not answered with 67% (first: {answers.get(wrong[0])})")
    waits = [answers[ref].at - sent[ref] for ref in refs]
    p95 = percentile(waits, 95)
    figure = f"member's wait: command to answer, {commands} logs, {CONCURRENCY} at a time"
    ours = f"p50 {median(waits):.2f} s, p95 {p95:.2f} s"
    return [plain_row("member-wait", figure, ours, f"p95 ≤ {GOAL_SECONDS:.1f} s", p95 <= GOAL_SECONDS)]
