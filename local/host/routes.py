"""HTTP trigger routes as the real host matches them: ``<routePrefix>/<route>`` with its declared methods and
route parameters (``{id}``, ``{id?}``, ``{id:int}``, ``{*rest}``), literal segments winning over parameters."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote

from local.host.indexing import Function

_PARAMETER = re.compile(r"\{(?P<star>\*{1,2})?(?P<name>\w+)(?::(?P<constraint>[^}=?]+))?(?:=[^}]*)?(?P<optional>\?)?\}")
_CONSTRAINTS = {
    "int": r"-?\d+",
    "long": r"-?\d+",
    "alpha": r"[A-Za-z]+",
    "bool": r"(?i:true|false)",
    "guid": r"[0-9A-Fa-f]{8}-?(?:[0-9A-Fa-f]{4}-?){3}[0-9A-Fa-f]{12}",
}


@dataclass(frozen=True)
class Route:
    function: Function
    template: str
    pattern: re.Pattern[str]
    methods: frozenset[str] | None  # None: every method

    @classmethod
    def of(cls, function: Function) -> Route:
        template = str(function.trigger.get("route") or function.name).strip("/")
        methods = function.trigger.get("methods")
        allowed = frozenset(m.upper() for m in methods) if methods else None
        return cls(function, template, _route_pattern(template), allowed)

    @property
    def specificity(self) -> tuple[int, int]:
        """Literal segments win over parameters, as in ASP.NET routing; catch-alls come last."""
        segments = self.template.split("/")
        return (-sum(1 for s in segments if "{" not in s), sum(1 for s in segments if "{*" in s))


def _route_pattern(template: str) -> re.Pattern[str]:
    pattern = ""
    for position, segment in enumerate(s for s in template.split("/") if s):
        slash = "/" if position else ""
        whole = _PARAMETER.fullmatch(segment)
        if whole and (whole["optional"] or whole["star"]):  # the segment may be left out, with its slash
            pattern += f"(?:{slash}{_parameter_regex(whole)})?"
            continue
        pattern += slash
        last = 0
        for match in _PARAMETER.finditer(segment):
            pattern += re.escape(segment[last : match.start()]) + _parameter_regex(match)
            last = match.end()
        pattern += re.escape(segment[last:])
    return re.compile(pattern, re.IGNORECASE)


def _parameter_regex(match: re.Match[str]) -> str:
    if match["star"]:
        return f"(?P<{match['name']}>.*)"
    return f"(?P<{match['name']}>{_CONSTRAINTS.get(str(match['constraint']).lower(), '[^/]+')})"


@dataclass(frozen=True)
class RouteMatch:
    route: Route | None
    params: dict[str, str]
    status: int  # 200 when a function answers, else 404 or 405
    allowed: frozenset[str] = frozenset()


class Router:
    def __init__(self, functions: Iterable[Function], prefix: str) -> None:
        routes = [Route.of(f) for f in functions if f.trigger_type == "httpTrigger"]
        self.routes = sorted(routes, key=lambda r: r.specificity)
        self.prefix = prefix

    def match(self, method: str, path: str) -> RouteMatch:
        relative = self._relative(path)
        if relative is None:
            return RouteMatch(None, {}, 404)
        allowed: set[str] = set()
        for route in self.routes:
            found = route.pattern.fullmatch(relative)
            if found is None:
                continue
            if route.methods is None or method in route.methods:
                params = {k: unquote(v) for k, v in found.groupdict().items() if v is not None}
                return RouteMatch(route, params, 200)
            allowed |= route.methods
        return RouteMatch(None, {}, 405 if allowed else 404, frozenset(allowed))

    def _relative(self, path: str) -> str | None:
        path = path.strip("/")
        if not self.prefix:
            return path
        if path.lower() == self.prefix.lower():
            return ""
        if path.lower().startswith(self.prefix.lower() + "/"):
            return path[len(self.prefix) + 1 :]
        return None
