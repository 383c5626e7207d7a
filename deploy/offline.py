"""The deploy's commands checked for wrong values, offline: what the CLI's parser accepts but Azure would
refuse, or what a governed subscription would deny. Each problem names its line."""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator, Sequence
from typing import Any

from deploy import lists
from deploy.config import DEFAULT_TAGS as _DEFAULT_TAGS
from deploy.config import PYTHON_VERSION, Config, Names, parse_tags, settings_problems

# Commands that create an Azure resource (each must carry the tags): by their words after `az`.
CREATES = (
    ("group", "create"),
    ("storage", "account", "create"),
    ("identity", "create"),
    ("monitor", "log-analytics", "workspace", "create"),
    ("resource", "create"),
    ("keyvault", "create"),
    ("functionapp", "create"),
    ("monitor", "action-group", "create"),
    ("monitor", "metrics", "alert", "create"),
)
LOCATION_FLAGS = ("-l", "--location", "--flexconsumption-location")
GROUP_FLAGS = ("-g", "--resource-group")
SCOPE_FLAGS = ("--scope", "--scopes", "--resource-id", "--ids")


def _values(argv: Sequence[str], flag: str) -> list[str]:
    """The values after each ``flag``, up to the next flag."""
    found: list[str] = []
    for index, word in enumerate(argv):
        if word != flag:
            continue
        for value in argv[index + 1 :]:
            if value.startswith("-"):
                break
            found.append(value)
    return found


def _placeholder(value: str) -> bool:
    return value.startswith("<") and value.endswith(">")


def _is_create(argv: Sequence[str]) -> bool:
    return any(tuple(argv[1 : 1 + len(words)]) == words for words in CREATES)


def _line_problems(argv: list[str], names: Names, tags: dict[str, str], ceiling: int) -> Iterator[str]:
    if argv == ["func", "--version"]:
        return
    if argv[0] == "func":
        unknown = [w for w in argv if w.startswith("-") and w not in lists.FUNC_PUBLISH_OPTIONS]
        if argv[1:4] != ["azure", "functionapp", "publish"] or unknown:
            yield f"func: not a publish command, or unknown options {unknown}"
        elif argv[4] != names.app:
            yield f"func publishes {argv[4]}, not {names.app}"
        return
    for flag in LOCATION_FLAGS:
        for value in _values(argv, flag):
            if value not in lists.FLEX_LOCATIONS.values:
                yield f"{flag} {value}: not a Flex Consumption region ({lists.FLEX_LOCATIONS.as_said})"
    for value in _values(argv, "--runtime-version"):
        if value != PYTHON_VERSION or value not in lists.FLEX_PYTHON_VERSIONS.values:
            yield f"--runtime-version {value}: the app is built for Python {PYTHON_VERSION} on Flex"
    for value in _values(argv, "--role"):
        if value not in lists.BUILTIN_ROLES.values:
            yield f"--role {value!r}: not a built-in role name ({lists.BUILTIN_ROLES.as_said})"
    for value in _values(argv, "--instance-memory"):
        if not value.isdigit() or int(value) not in lists.INSTANCE_MEMORY_MB:
            yield f"--instance-memory {value}: Flex offers {lists.INSTANCE_MEMORY_MB}"
    low, high = lists.MAX_INSTANCES_RANGE
    for value in _values(argv, "--maximum-instance-count"):
        if not value.isdigit() or not low <= int(value) <= high:
            yield f"--maximum-instance-count {value}: Flex accepts {low} to {high}"
    for value in _values(argv, "--trigger-settings"):
        count = value.partition("perInstanceConcurrency=")[2]
        if not count.isdigit() or not 1 <= int(count) <= high:
            yield f"--trigger-settings {value}: a per-instance concurrency of 1 to {high}"
    for body in _values(argv, "--properties"):
        yield from _flex_problems(json.loads(body))
    ready = _values(argv, "--always-ready-instances")
    if argv[1:6] == ["functionapp", "scale", "config", "always-ready", "set"]:
        ready = _values(argv, "--settings")
    for value in ready:
        count = value.rpartition("=")[2]
        if not count.isdigit() or int(count) > ceiling:
            yield f"always-ready {value}: a count of 0 to the maximum instance count ({ceiling})"
    for flag in GROUP_FLAGS:
        for value in _values(argv, flag):
            if value != names.group:
                yield f"{flag} {value}: everything belongs in {names.group}"
    for flag in SCOPE_FLAGS:
        for value in _values(argv, flag):
            if not _placeholder(value) and f"/resourcegroups/{names.group.lower()}/" not in value.lower() + "/":
                yield f"{flag} {value}: outside {names.group}"
    if _is_create(argv):
        yield from _tag_problems(argv, tags)


def _flex_problems(body: dict[str, Any]) -> Iterator[str]:
    """A Flex app made as one ARM object: its runtime and limits, as the flags above would be checked."""
    flex = (body.get("properties") or {}).get("functionAppConfig")
    if not flex:
        return
    version = (flex.get("runtime") or {}).get("version")
    if version != PYTHON_VERSION or version not in lists.FLEX_PYTHON_VERSIONS.values:
        yield f"runtime version {version}: the app is built for Python {PYTHON_VERSION} on Flex"
    scale = flex.get("scaleAndConcurrency") or {}
    memory = scale.get("instanceMemoryMB")
    if memory not in lists.INSTANCE_MEMORY_MB:
        yield f"instanceMemoryMB {memory}: Flex offers {lists.INSTANCE_MEMORY_MB}"
    low, high = lists.MAX_INSTANCES_RANGE
    ceiling = scale.get("maximumInstanceCount")
    if not isinstance(ceiling, int) or not low <= ceiling <= high:
        yield f"maximumInstanceCount {ceiling}: Flex accepts {low} to {high}"
        ceiling = high
    concurrency = ((scale.get("triggers") or {}).get("http") or {}).get("perInstanceConcurrency")
    if not isinstance(concurrency, int) or not 1 <= concurrency <= high:
        yield f"perInstanceConcurrency {concurrency}: a per-instance concurrency of 1 to {high}"
    for ready in scale.get("alwaysReady") or []:
        count = ready.get("instanceCount")
        if not isinstance(count, int) or not 0 <= count <= ceiling:
            yield f"always-ready {ready.get('name')}={count}: a count of 0 to the maximum instance count"


def _tag_problems(argv: list[str], tags: dict[str, str]) -> Iterator[str]:
    given = dict(v.split("=", 1) for v in _values(argv, "--tags") if "=" in v)
    for body in _values(argv, "--properties"):
        full = json.loads(body)
        given |= full.get("tags") or {}
        if full.get("location") not in lists.FLEX_LOCATIONS.values:
            yield f"--properties location {full.get('location')!r}: not a Flex Consumption region"
    missing = {k: v for k, v in tags.items() if given.get(k) != v}
    if missing:
        yield f"{' '.join(argv[:4])}: created without the tags {missing}"


def _ceiling(commands: Sequence[list[str]]) -> int:
    """The maximum instance count the lines set (the lowest, if several), or Flex's own highest."""
    found = [int(v) for argv in commands for v in _values(argv, "--maximum-instance-count") if v.isdigit()]
    for argv in commands:
        for body in _values(argv, "--properties"):
            flex = (json.loads(body).get("properties") or {}).get("functionAppConfig") or {}
            count = (flex.get("scaleAndConcurrency") or {}).get("maximumInstanceCount")
            if isinstance(count, int):
                found.append(count)
    return min(found, default=lists.MAX_INSTANCES_RANGE[1])


def problems(lines: Sequence[str], name: str, tags: str = _DEFAULT_TAGS) -> list[str]:
    """Every wrong value in the deploy's lines (``make deploy DRY_RUN=1``'s, or any others)."""
    names = Names.of(Config(name=name, location=lists.FLEX_LOCATIONS.values[0]))
    wanted_tags = dict(parse_tags(tags))
    found: list[str] = []
    written: set[str] = set()
    ceiling = _ceiling([shlex.split(line) for line in lines])
    for line in lines:
        argv = shlex.split(line)
        found += [f"{problem}\n        in: {line}" for problem in _line_problems(argv, names, wanted_tags, ceiling)]
        if argv[1:5] == ["functionapp", "config", "appsettings", "set"]:
            written |= {value.split("=", 1)[0] for value in _values(argv, "--settings")}
    if not any(line.startswith("func ") for line in lines):
        found.append("no func publish line: the code would never be published")
    found += settings_problems(written)
    return found
