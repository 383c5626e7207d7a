"""The alert rules, each its own command: a metric alert on failed invocations, and three log-search rules
(a metric alert takes no percentile, and Storage's queue metrics are hourly and account-wide): the ack's p95;
every message that reaches the poison queue, by the invocation of the function that reports it (the queue
itself is drained within seconds, so its depth is almost always 0); and a message left in the poison queue's
own poison queue, whose depth the app reports every 5 minutes. Requests and traces are never sampled
(host.json), so no rule misses what it counts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from deploy.config import ACK_BUDGET_SECONDS, QUEUE_NAME, Config, Names
from deploy.runner import Arg, Runner
from interactions.queue_depth import depth_line, poison_queues

QUERY_RULE_TYPE = "Microsoft.Insights/scheduledQueryRules"
QUERY_RULE_API = "2023-12-01"
METRIC_ALERT_TYPE = "Microsoft.Insights/metricAlerts"
# The functions that answer Slack within its 3 seconds: their duration is the ack.
ACK_FUNCTIONS = ("slack_commands", "slack_interactions", "slack_events")
# The function triggered by each message of the poison queue: one invocation, one failed command or press.
POISON_FUNCTION = "report_failed_message"


@dataclass(frozen=True)
class LogRule:
    suffix: str
    description: str
    query: str


def log_rules() -> tuple[LogRule, ...]:
    names = ", ".join(f'"{f}"' for f in ACK_FUNCTIONS)
    unreported = poison_queues(QUEUE_NAME)[1]
    return (
        LogRule(
            "slow-ack",
            f"The acknowledgement to Slack took over {ACK_BUDGET_SECONDS} s at the 95th percentile.",
            f"requests | where name in ({names}) | summarize p95 = percentile(duration, 95) "
            f"| where p95 > {ACK_BUDGET_SECONDS * 1000:.0f}",
        ),
        LogRule(
            "poison-messages",
            "A command or a press failed five times and reached the poison queue (its member was told).",
            f'requests | where name == "{POISON_FUNCTION}"',
        ),
        LogRule(
            "unreported-messages",
            f"A failed message could not even be reported to its member: it waits in {unreported} for an admin.",
            f'traces | where message startswith "{depth_line(unreported, 0)[:-1]}" '
            '| extend depth = toint(extract(@"=(\\d+)$", 1, message)) | where depth > 0',
        ),
    )


def rule_name(names: Names, suffix: str) -> str:
    return f"{names.app}-{suffix}"


def ensure(runner: Runner, names: Names, config: Config, insights_id: str, resources: Sequence[dict[str, Any]]) -> None:
    """Create what is missing; rules that exist are kept as they are."""
    existing = {(str(r.get("type")).lower(), str(r.get("name"))) for r in resources}
    actions: list[str] = []
    if config.alert_email:
        group_id = runner.find(["az", "monitor", "action-group", "show", "-g", names.group, "-n", names.action_group,
                                "--query", "id", "-o", "tsv"])  # fmt: skip
        if not group_id:
            group_id = runner.run(
                ["az", "monitor", "action-group", "create", "-g", names.group, "-n", names.action_group,
                 "--short-name", "interactions"[:12], "--action", "email", "admin", config.alert_email,
                 "--tags", *config.tag_args, "--query", "id", "-o", "tsv"],
                dry_result="<actionGroup.id>",
            )  # fmt: skip
        actions = [group_id]

    failures = rule_name(names, "failures")
    if (METRIC_ALERT_TYPE.lower(), failures) not in existing:
        action: list[Arg] = ["--action", *actions] if actions else []
        runner.run(
            ["az", "monitor", "metrics", "alert", "create", "-g", names.group, "-n", failures,
             "--scopes", insights_id, "--condition", "count 'requests/failed' > 0", "--window-size", "5m",
             "--evaluation-frequency", "1m", "--severity", "1",
             "--description", "A function failed in the last 5 minutes.", *action,
             "--tags", *config.tag_args, "-o", "none"]
        )  # fmt: skip

    for rule in log_rules():
        name = rule_name(names, rule.suffix)
        if (QUERY_RULE_TYPE.lower(), name) in existing and _query_of(runner, names, name) == rule.query:
            continue
        body = {
            "location": config.location,
            "tags": config.tag_map,
            "kind": "LogAlert",
            "properties": {
                "displayName": name,
                "description": rule.description,
                "severity": 2,
                "enabled": True,
                "scopes": [insights_id],
                "evaluationFrequency": "PT5M",
                "windowSize": "PT5M",
                "criteria": {
                    "allOf": [
                        {
                            "query": rule.query,
                            "timeAggregation": "Count",
                            "operator": "GreaterThan",
                            "threshold": 0,
                            "failingPeriods": {"numberOfEvaluationPeriods": 1, "minFailingPeriodsToAlert": 1},
                        }
                    ]
                },
                "actions": {"actionGroups": actions},
            },
        }
        runner.run(
            ["az", "resource", "create", "-g", names.group, "-n", name, "--resource-type", QUERY_RULE_TYPE,
             "--api-version", QUERY_RULE_API, "--is-full-object", "--properties", json.dumps(body, sort_keys=True),
             "-o", "none"]
        )  # fmt: skip


def _query_of(runner: Runner, names: Names, rule: str) -> str | None:
    """The query an existing log-search rule runs: one of an earlier deploy may count something else."""
    return runner.find(
        ["az", "resource", "show", "-g", names.group, "-n", rule, "--resource-type", QUERY_RULE_TYPE,
         "--api-version", QUERY_RULE_API, "--query", "properties.criteria.allOf[0].query", "-o", "tsv"]
    )  # fmt: skip
