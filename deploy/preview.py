"""``make deploy PLAN=1``: the deploy run against the subscription with its read-only calls only; every
command that would change something is recorded instead, and the end says, per resource and setting,
create, change or keep."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from deploy.runner import Arg, CommandFailed, Runner, is_not_found, shown

# A command is read-only when one of these is among its first words (or it is a GET through `az rest`).
READ_VERBS = frozenset({"show", "list", "exists", "check-name", "list-deleted", "get-access-token",
                        "list-flexconsumption-locations", "list-flexconsumption-runtimes", "--version"})  # fmt: skip
NAME_FLAGS = ("-n", "--name", "--vault-name", "--resource-id", "--scope")


def is_read_only(argv: Sequence[Arg]) -> bool:
    words = [a for a in argv if isinstance(a, str)]
    if words[:2] == ["az", "rest"]:
        return "--method" in words and words[words.index("--method") + 1].lower() == "get"
    head = [w for w in words[:7] if not w.startswith("-") or w == "--version"]
    return any(w in READ_VERBS for w in head)


def _subject(argv: Sequence[Arg]) -> str:
    words = [a for a in argv if isinstance(a, str)]
    kind = " ".join(
        w for w in words[1:4] if not w.startswith("-") and w not in ("create", "update", "set", "show", "list")
    )
    if words[1:2] == ["resource"] and "--resource-type" in words[:-1]:
        # `az resource` makes many kinds: the preview names the kind.
        kind = words[words.index("--resource-type") + 1]
    for flag in NAME_FLAGS:
        if flag in words:
            index = words.index(flag)
            if index + 1 < len(words):
                return f"{kind} {words[index + 1]}"
    return kind


def describe(argv: Sequence[Arg]) -> list[str]:
    """What a changing command does, as the lines of the preview."""
    words = [a for a in argv if isinstance(a, str)]
    if words[:2] == ["func", "azure"]:
        return ["change  code of " + words[4] + " (published again)"]
    if "appsettings" in words and "set" in words:
        names = [w.split("=", 1)[0] for w in words[words.index("--settings") + 1 :] if "=" in w]
        return [f"change  setting {name}" for name in names]
    if "role" in words and "assignment" in words:
        role = words[words.index("--role") + 1]
        return [f"create  role {role!r} for {words[words.index('--assignee-object-id') + 1]}"]
    action = "create" if "create" in words[:6] or "recover" in words[:4] else "change"
    return [f"{action:<7} {_subject(argv)}"]


@dataclass
class PreviewRunner:
    """Runs the reads through ``inner``; answers each change as a dry run does, and remembers it."""

    inner: Runner
    dry: bool = True
    changes: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def run(self, argv: Sequence[Arg], *, dry_result: str = "") -> str:
        if not is_read_only(argv):
            self.changes.extend(describe(argv))
            return dry_result
        try:
            answer = self.inner.run(argv, dry_result=dry_result)
        except CommandFailed as error:
            if is_not_found(error.returncode, error.stderr) or self.changes:
                # Absent; or, after a change that was only recorded, a read of what it would have made or
                # allowed (a role not yet granted): answered as if the change had been made.
                return dry_result
            # Before any change, a read that fails for another reason (no login, no access, a missing tool)
            # is a failed check: answering it with a placeholder would hide it.
            raise CommandFailed(
                error.command,
                error.returncode,
                f"{error.stderr.strip()}\nPLAN=1 stopped: this read must succeed before the plan can say anything. "
                "Do what the error says (az login, read access to the subscription, the tool installed), then "
                "run it again; nothing was changed.",
            ) from None
        if list(argv[:5]) == ["az", "functionapp", "config", "appsettings", "list"]:
            self.kept += [f"setting {s['name']}" for s in json.loads(answer or "[]")]
        return answer

    def find(self, argv: Sequence[Arg], *, dry_result: str | None = None) -> str | None:
        found = self.inner.find(argv, dry_result=dry_result)
        if found is not None and "show" in argv:
            self.kept.append(_subject(argv))
        return found

    def publish(self, argv: Sequence[Arg]) -> None:
        self.changes.extend(describe(argv))

    def pause(self, seconds: float) -> None:
        return None

    def report(self) -> str:
        changed_subjects = {line.split(None, 1)[1] for line in self.changes}
        keep = [f"keep    {s}" for s in dict.fromkeys(self.kept) if s not in changed_subjects]
        lines = [*self.changes, *keep] or ["nothing to do"]
        return "Plan (nothing was changed):\n" + "\n".join(f"  {line}" for line in lines)


__all__ = ["PreviewRunner", "describe", "is_read_only", "shown"]
