"""The traces reader: a tracing system's service map as dependencies between items the CMDB already has.

Two formats (docs/discovery.md, "Traces"):

- `jaeger`: the answer of Jaeger's dependencies endpoint (`/api/dependencies`), a JSON list of
  `{"parent", "child", "callCount"}`, bare or under `"data"`;
- `servicegraph`: the Prometheus text exposition of the OpenTelemetry service-graph connector, whose
  `traces_service_graph_request_total{client="a", server="b", ...} 123` counters give the calls from `a` to `b`
  (summed over the other labels, such as `connection_type`); every other metric, comment and `# HELP` / `# TYPE`
  line is ignored.

A service name is mapped to an item by the mapping file first (`[services] "frontend-svc" = "SVC-FRONTEND"`), then
by `known` (the CMDB's ids, names and `service.name` attributes, lower-cased). A name that maps to nothing is
reported as unresolved, never an error; traces create no items. A call edge `parent -> child` becomes the dependency
`parent DEPENDS_ON child`, HARD (a caller waits on its callee; a person may make it SOFT, and the source leaves the
dependency as it is), with `callCount` in its attributes. Edges with fewer calls than `min_calls` and calls of a
service to itself are skipped with a reason.

Hostile input fails with a `DiscoveryInputError` naming the file and the line (or list index): bytes that are not
UTF-8, a file over 128 MiB, JSON that does not parse or has the wrong shape, a count that is negative, not a number,
NaN, infinite or beyond 2^53.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from graphsvc.discovery.documents import DiscoveryInputError, decode_text
from graphsvc.discovery.model import Observation, SeenDependency, Skipped, Unresolved
from graphsvc.domain.exchange import is_id
from graphsvc.domain.safe_json import MAX_SAFE_INTEGER

__all__ = ["METRIC", "TraceFormat", "parse_servicegraph", "read_service_mapping", "read_traces"]

TraceFormat = Literal["jaeger", "servicegraph"]
METRIC = "traces_service_graph_request_total"
_NAME = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
_LABEL = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*\"")
_ESCAPES = {"\\": "\\", '"': '"', "n": "\n"}


def read_service_mapping(path: Path) -> dict[str, str]:
    """The `[services]` table of a TOML mapping file (service name -> item id), keys lower-cased;
    `DiscoveryInputError` naming the file when it cannot be read or is invalid."""
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DiscoveryInputError(f"{path}: cannot read the mapping file ({exc})") from None
    unknown = sorted(set(data) - {"services"})
    if unknown:
        raise DiscoveryInputError(f"{path}: unknown table(s) {', '.join(unknown)} (only [services] is read)")
    services = data.get("services", {})
    if not isinstance(services, dict):
        raise DiscoveryInputError(f"{path}: [services] must be a table of service name = item id")
    out: dict[str, str] = {}
    for name, target in services.items():
        if not isinstance(target, str) or not is_id(target):
            raise DiscoveryInputError(f"{path}: [services] {name!r} must name an item id (got {target!r})")
        out[name.lower()] = target
    return out


def read_traces(
    name: str,
    data: bytes,
    fmt: TraceFormat,
    known: Mapping[str, str],
    mapping: Mapping[str, str] | None,
    min_calls: int,
    *,
    file: str | None = None,
) -> Observation:
    """The dependencies the call edges in `data` show, as the source `traces:<name>`. `file` names the input in
    messages (default `name`)."""
    where = file or name
    text = decode_text(where, data)
    edges = _jaeger(where, text) if fmt == "jaeger" else parse_servicegraph(where, text)
    return _observation(f"traces:{name}", where, edges, known, mapping or {}, min_calls)


def _count(where: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DiscoveryInputError(f"{where}: the call count must be a number (got {value!r})")
    if isinstance(value, float) and not math.isfinite(value):
        raise DiscoveryInputError(f"{where}: the call count must be a finite number (got {value})")
    if value < 0:
        raise DiscoveryInputError(f"{where}: the call count must not be negative (got {value})")
    if value > MAX_SAFE_INTEGER:
        raise DiscoveryInputError(f"{where}: the call count {value:.0f} is beyond 2^53")
    return int(value)


def _reject_constant(value: str) -> Any:
    raise ValueError(f"{value} is no JSON number")


def _jaeger(where: str, text: str) -> dict[tuple[str, str], int]:
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise DiscoveryInputError(f"{where}: nested too deeply to read") from None
    except json.JSONDecodeError as e:
        raise DiscoveryInputError(f"{where}, line {e.lineno}: not JSON ({e.msg})") from None
    except ValueError as e:
        raise DiscoveryInputError(f"{where}: not JSON ({e})") from None
    if isinstance(doc, dict) and "data" in doc:
        doc = doc["data"]
    if not isinstance(doc, list):
        raise DiscoveryInputError(f"{where}: expected a list of {{parent, child, callCount}} (bare or under 'data')")
    edges: dict[tuple[str, str], int] = {}
    for index, entry in enumerate(doc):
        at = f"{where}, entry {index}"
        if not isinstance(entry, dict):
            raise DiscoveryInputError(f"{at}: expected an object with parent, child and callCount")
        names = []
        for key in ("parent", "child"):
            value = entry.get(key)
            if not isinstance(value, str) or not value.strip():
                raise DiscoveryInputError(f"{at}: {key} must be a service name (got {value!r})")
            names.append(value.strip())
        if "callCount" not in entry:
            raise DiscoveryInputError(f"{at}: no callCount")
        pair = (names[0], names[1])
        edges[pair] = edges.get(pair, 0) + _count(at, entry["callCount"])
    return edges


def parse_servicegraph(where: str, text: str) -> dict[tuple[str, str], int]:
    """(client, server) -> calls, from the `traces_service_graph_request_total` samples of a Prometheus text
    exposition, summed over their other labels."""
    edges: dict[tuple[str, str], int] = {}
    for number, line in enumerate(text.split("\n"), start=1):  # only \n ends a line: a label value may hold \r
        stripped = line.strip(" \t\r")
        if not stripped or stripped.startswith("#"):
            continue
        found = _NAME.match(stripped)
        if found is None or found[0] != METRIC:
            continue  # another metric
        at = f"{where}, line {number}"
        labels, rest = _labels(at, stripped[found.end() :])
        fields = rest.split()
        if not fields or len(fields) > 2:
            raise DiscoveryInputError(f"{at}: expected a value (and an optional timestamp) after the labels")
        try:
            value = float(fields[0])
        except ValueError:
            raise DiscoveryInputError(f"{at}: {fields[0]!r} is no number") from None
        missing = [k for k in ("client", "server") if not labels.get(k, "").strip()]
        if missing:
            raise DiscoveryInputError(f"{at}: no {' and no '.join(missing)} label")
        pair = (labels["client"].strip(), labels["server"].strip())
        edges[pair] = edges.get(pair, 0) + _count(at, value)
    return edges


def _labels(at: str, text: str) -> tuple[dict[str, str], str]:
    """The labels of a sample (`{a="x",b="y\\"z"}`, escapes `\\\\`, `\\"` and `\\n`) and the text after them."""
    if not text.startswith("{"):
        return {}, text
    labels: dict[str, str] = {}
    pos = 1
    while True:
        close = re.compile(r"\s*,?\s*}").match(text, pos)
        if close is not None:
            return labels, text[close.end() :]
        found = _LABEL.match(text, pos)
        if found is None:
            raise DiscoveryInputError(f"{at}: malformed labels at column {pos + 1 + len(METRIC)}")
        value, pos = _label_value(at, text, found.end())
        labels[found[1]] = value
        comma = re.compile(r"\s*,").match(text, pos)
        if comma is not None:
            pos = comma.end()
        elif not re.compile(r"\s*}").match(text, pos):
            raise DiscoveryInputError(f"{at}: expected ',' or '}}' after label {found[1]}")


def _label_value(at: str, text: str, pos: int) -> tuple[str, int]:
    out: list[str] = []
    while pos < len(text):
        char = text[pos]
        if char == '"':
            return "".join(out), pos + 1
        if char == "\\":
            escaped = text[pos + 1 : pos + 2]
            out.append(_ESCAPES.get(escaped, "\\" + escaped))
            pos += 2
            continue
        out.append(char)
        pos += 1
    raise DiscoveryInputError(f"{at}: a label value is not closed")


def _observation(
    source: str,
    where: str,
    edges: Mapping[tuple[str, str], int],
    known: Mapping[str, str],
    mapping: Mapping[str, str],
    min_calls: int,
) -> Observation:
    observation = Observation(source)
    ids = set(known.values())
    calls: dict[tuple[str, str], tuple[int, list[str]]] = {}
    for (parent, child), count in sorted(edges.items()):
        edge = f"trace edge {parent} -> {child}"
        if count < min_calls:
            observation.skipped.append(Skipped(f"{where}, {edge}", f"{count} calls, fewer than {min_calls}"))
            continue
        a, b = _resolve(parent, known, mapping, ids), _resolve(child, known, mapping, ids)
        if a is None:
            observation.unresolved.append(Unresolved(b or child, edge, parent))
        if b is None:
            observation.unresolved.append(Unresolved(a or parent, edge, child))
        if a is None or b is None:
            continue
        if a == b:
            observation.skipped.append(Skipped(f"{where}, {edge}", f"a service calling itself ({a})"))
            continue
        total, names = calls.get((a, b), (0, []))
        calls[(a, b)] = (total + count, [*names, f"{parent} -> {child}"])
    for (a, b), (count, names) in sorted(calls.items()):
        attributes = {"callCount": count, "via": "traces: " + ", ".join(names)}
        observation.dependencies.append(SeenDependency(a, b, "HARD", attributes))
    return observation


def _resolve(name: str, known: Mapping[str, str], mapping: Mapping[str, str], ids: set[str]) -> str | None:
    key = name.lower()
    if key in mapping:
        target = mapping[key]
        return target if target in ids else None  # a mapping naming no item: unresolved, like a name
    return known.get(key)
