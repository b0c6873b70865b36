"""Independent checks of exchange documents for the tests: the JSON Schema (with an RFC 3339 date-time check that
needs no optional package) and reference closure, written without the product's own validation code."""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "graphsvc" / "cmdb-exchange.schema.json"
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

# list field -> (reference field, kinds it may name); kinds are the document's top-level lists
REFS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "requirements": (("refines", ("requirements",)), ("raisedBy", ("businessUnits",))),
    "metrics": (("requirement", ("requirements",)),),
    "services": (("owner", ("teams",)), ("satisfies", ("requirements",))),
    "configurationItems": (("site", ("sites",)), ("owner", ("teams",))),
    "redundancyGroups": (("members", ("configurationItems", "services")),),
    "dependencies": (
        ("from", ("services", "configurationItems", "redundancyGroups")),
        ("to", ("services", "configurationItems", "redundancyGroups")),
    ),
    "consumption": (("businessUnit", ("businessUnits",)), ("service", ("services",))),
    "utilizationReadings": (("ci", ("configurationItems",)),),
    "slas": (("service", ("services",)), ("businessUnit", ("businessUnits",))),
    "policies": (("governs", ("services", "configurationItems", "processes")),),
    "processes": (("interfacesWith", ("processes",)),),
    "incidents": (("affects", ("configurationItems", "services")), ("problem", ("problems",))),
    "problems": (("causedBy", ("configurationItems", "services")),),
    "changes": (
        ("modifies", ("configurationItems", "services", "redundancyGroups")),
        ("release", ("releases",)),
        ("resolves", ("problems",)),
    ),
}


def _checker() -> FormatChecker:
    """A format checker whose date-time check does not depend on optional packages."""
    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if not _RFC3339.match(value):
            raise ValueError(f"not RFC 3339 with an offset: {value!r}")
        datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True

    return checker


@cache
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=_checker())


def schema_errors(doc: dict[str, Any]) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator().iter_errors(doc)]


def ids_by_kind(doc: dict[str, Any]) -> dict[str, set[str]]:
    """Ids per top-level list; fails if an id repeats anywhere in the document."""
    seen: dict[str, str] = {}
    out: dict[str, set[str]] = {}
    for kind, items in doc.items():
        if not isinstance(items, list) or kind in ("dependencies", "consumption", "utilizationReadings"):
            continue
        out[kind] = set()
        for item in items:
            assert item["id"] not in seen, f"{item['id']} in {kind} and {seen[item['id']]}"
            seen[item["id"]] = kind
            out[kind].add(item["id"])
    return out


def dangling_references(doc: dict[str, Any]) -> list[str]:
    """Every reference that does not name an item of an allowed kind, plus self-dependencies."""
    ids = ids_by_kind(doc)
    bad: list[str] = []
    for kind, refs in REFS.items():
        for item in doc.get(kind, []):
            for field, targets in refs:
                value = item.get(field)
                for ref in value if isinstance(value, list) else [] if value is None else [value]:
                    if not any(ref in ids.get(t, ()) for t in targets):
                        bad.append(f"{kind} {item.get('id', item)}.{field} -> {ref}")
    bad += [f"self-dependency {d['from']}" for d in doc.get("dependencies", []) if d["from"] == d["to"]]
    for kind, refs in REFS.items():  # the importer rejects an id listed twice
        for item in doc.get(kind, []):
            lists = [(f, item[f]) for f, _ in refs if isinstance(item.get(f), list)]
            bad += [f"{item['id']}.{f} repeats" for f, v in lists if len(set(v)) < len(v)]
    edges = [(d["from"], d["to"]) for d in doc.get("dependencies", [])]
    consumers = [(c["businessUnit"], c["service"]) for c in doc.get("consumption", [])]
    bad += ["a dependency repeats"] if len(set(edges)) < len(edges) else []
    bad += ["a consumption repeats"] if len(set(consumers)) < len(consumers) else []
    return bad
