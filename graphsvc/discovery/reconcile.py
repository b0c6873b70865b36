"""Reconciliation: what one discovery run changes in the CMDB, worked out before anything is written (the dry run
prints it; the write applies it in one transaction). Pure: the database's side comes in as `Current` values.

The rules (SEMANTICS.md, "Discovery"; docs/discovery.md):

- **Identity.** A seen item is the stored item with its id; failing that, the stored item whose `attributes` carry
  the same `hostname`, `serial` or `cloudResourceId` (two sources naming one machine merge, never duplicate); else
  it is new. Dependencies follow the merge.
- **Per-field precedence.** Each source remembers the value it last wrote to each field of each item (`discovered`).
  A run may set a field when the item has no value there, or when the value is still the one this source wrote
  last; a value a person, an import or another source set since is left alone (and reported as kept). Fields are
  the exchange format's (`name`, `type`, `environment`, `status`, `owner`, ...), and each `attributes` key is a
  field of its own (`attributes.namespace`).
- **Held.** An item the source names but could not read this run (`Observation.held`: a bad row skipped) is neither
  updated nor retired, and its dependencies stay; a run that says nothing about dependencies
  (`sees_dependencies` False) removes none.
- **Lifecycle.** A seen item is ACTIVE (a status this source set, RETIRED included, is its to change back). An item
  this source created (`source`) and no longer sees becomes RETIRED once it has been unseen longer than the grace
  period, unless someone else set its status since; it is never deleted. An item another source or a person
  created is never retired by this one.
- **A source that vanished.** A run that sees nothing yet would retire something, or would retire more than
  MASS_RETIRE items and over half of what the source had, is refused (nothing written) unless told otherwise:
  an empty or truncated export must not retire a cluster.
- **Dependencies.** A dependency this source created and no longer sees is removed (dependencies have no status;
  the audit trail and `estateDiff` keep it); a dependency that exists already, whoever made it, is left as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from graphsvc.discovery.model import Observation, SeenItem
from graphsvc.domain.vocabulary import Kind

__all__ = ["IDENTITY_KEYS", "Current", "FieldKept", "Plan", "flatten", "plan_run", "unflatten"]

IDENTITY_KEYS = ("hostname", "serial", "cloudResourceId")
MASS_RETIRE = 5  # a run may retire this many items whatever the share (see Plan.mass_retirement)
ATTR = "attributes."


def flatten(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Exchange fields as the precedence rule sees them: each `attributes` key a field of its own."""
    out = {k: v for k, v in fields.items() if k not in ("attributes", "id")}
    for key, value in (fields.get("attributes") or {}).items():
        out[ATTR + key] = value
    return out


def unflatten(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The exchange fields back from `flatten`'s form (`attributes` only when it has keys)."""
    out = {k: v for k, v in fields.items() if not k.startswith(ATTR) and v is not None}
    attributes = {k[len(ATTR) :]: v for k, v in fields.items() if k.startswith(ATTR)}
    if attributes:
        out["attributes"] = dict(sorted(attributes.items()))
    return out


@dataclass(frozen=True)
class Current:
    """A stored item as reconciliation needs it: its exchange fields (flattened), who created it, and what each
    discovery source last wrote to it and when it last saw it."""

    id: str
    kind: Kind
    fields: Mapping[str, Any]  # flattened
    source: str | None  # the discovery source that created it (None: a person or an import)
    written: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # source -> field -> value last written
    seen_at: Mapping[str, datetime] = field(default_factory=dict)  # source -> when it last saw the item


@dataclass(frozen=True)
class FieldKept:
    """A field the run would have set but left alone: someone else set it last."""

    item: str
    field: str
    current: Any
    seen: Any


@dataclass
class Plan:
    """What a run changes. Each changed item comes with its whole resulting fields (flattened)."""

    source: str
    now: datetime
    created: dict[str, tuple[Kind, dict[str, Any]]] = field(default_factory=dict)
    updated: dict[str, dict[str, tuple[Any, Any]]] = field(default_factory=dict)  # id -> field -> (old, new)
    retired: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[FieldKept] = field(default_factory=list)
    merged: dict[str, str] = field(default_factory=dict)  # seen id -> stored id it was merged into
    results: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> resulting fields of changed items
    written: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> this source's fields after the run
    seen: set[str] = field(default_factory=set)  # stored ids this run saw (after merging)
    dependencies_added: list[tuple[str, str, str, dict[str, Any]]] = field(default_factory=list)
    dependencies_removed: list[tuple[str, str]] = field(default_factory=list)
    # this source's, still seen, with what it sees of them now (`callCount` moves from run to run)
    dependencies_seen: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    live_before: int = 0  # items this source created that were not RETIRED before the run

    @property
    def changes(self) -> int:
        return len(self.created) + len(self.updated) + len(self.dependencies_added) + len(self.dependencies_removed)

    def mass_retirement(self) -> str | None:
        """Why this run looks like a source that vanished rather than an estate that shrank (None: it does not): it
        sees nothing yet would retire something, or it would retire more than MASS_RETIRE items and more than half
        of what the source had. A truncated export or an empty namespace list must not retire a cluster."""
        retiring = len(self.retired)
        if retiring and not self.seen:
            return f"{self.source} saw nothing this run, and {retiring} item(s) it saw before would be retired"
        if retiring > MASS_RETIRE and retiring * 2 > self.live_before:
            return (
                f"{self.source} would retire {retiring} of the {self.live_before} items it had (over half): a source "
                "that vanished or input cut short?"
            )
        return None


_ABSENT = object()


def _identity(item: SeenItem | Current) -> list[tuple[str, str]]:
    if isinstance(item, SeenItem):
        given = dict(item.identity)
        attributes = {k[len(ATTR) :]: v for k, v in flatten(item.fields).items() if k.startswith(ATTR)}
    else:
        given, attributes = {}, {k[len(ATTR) :]: v for k, v in item.fields.items() if k.startswith(ATTR)}
    for key in IDENTITY_KEYS:
        value = attributes.get(key)
        if isinstance(value, str) and value and key not in given:
            given[key] = value
    return [(k, v.lower()) for k, v in sorted(given.items()) if k in IDENTITY_KEYS and v]


def _resolve(
    seen: SeenItem, current: Mapping[str, Current], identities: Mapping[tuple[str, str], str]
) -> tuple[str, str | None]:
    """The stored id a seen item is (its own id if new), and the identity key it was merged by, if any."""
    if seen.id in current:
        return seen.id, None
    for key in _identity(seen):
        found = identities.get(key)
        if found is not None:
            return found, f"{key[0]}={key[1]}"
    return seen.id, None


def plan_run(
    observation: Observation,
    current: Mapping[str, Current],
    existing_dependencies: Iterable[tuple[str, str, str | None]],
    now: datetime,
    grace: timedelta = timedelta(0),
) -> Plan:
    """What this run changes. `current`: every stored item the run can touch (those with the seen ids, those any
    identity names, and those this source saw before); `existing_dependencies`: (from, to, source) of the stored
    DEPENDS_ON relationships between them (source None: not made by discovery)."""
    source = observation.source
    plan = Plan(source, now)
    identities: dict[tuple[str, str], str] = {}
    for item in sorted(current.values(), key=lambda c: c.id):
        for key in _identity(item):
            identities.setdefault(key, item.id)
    ids: dict[str, str] = {}  # seen id -> stored id
    for seen in observation.items:
        stored, merged_by = _resolve(seen, current, identities)
        ids[seen.id] = stored
        if merged_by is not None:
            plan.merged[seen.id] = stored
        plan.seen.add(stored)
        if stored in current:
            _update(plan, current[stored], seen)
        else:
            fields = {"status": "ACTIVE", **flatten(seen.fields)}
            plan.created[stored] = (seen.kind, fields)
            plan.results[stored] = fields
            plan.written[stored] = dict(fields)
    plan.live_before = sum(1 for c in current.values() if c.source == source and c.fields.get("status") != "RETIRED")
    seen_ids = plan.seen | observation.held
    for item in sorted(current.values(), key=lambda c: c.id):
        if item.id in seen_ids or source not in item.written:
            continue
        _unseen(plan, item, grace)
    _dependencies(plan, observation, ids, existing_dependencies)
    return plan


def _update(plan: Plan, item: Current, seen: SeenItem) -> None:
    wanted = {"status": "ACTIVE", **flatten(seen.fields)}
    mine = dict(item.written.get(plan.source, {}))
    result = dict(item.fields)
    changes: dict[str, tuple[Any, Any]] = {}
    for name, value in wanted.items():
        now = item.fields.get(name, _ABSENT)
        last = mine.get(name, _ABSENT)
        if now is _ABSENT or now is None or now == last:
            mine[name] = value
            if now != value:
                changes[name] = (None if now is _ABSENT else now, value)
                result[name] = value
        elif now != value:
            plan.kept.append(FieldKept(item.id, name, now, value))
    plan.written[item.id] = mine
    if changes:
        plan.updated[item.id] = changes
        plan.results[item.id] = result
    else:
        plan.unchanged.append(item.id)


def _unseen(plan: Plan, item: Current, grace: timedelta) -> None:
    """An item this source saw before and does not see now."""
    mine = dict(item.written.get(plan.source, {}))
    plan.written[item.id] = mine
    status = item.fields.get("status")
    last_seen = item.seen_at.get(plan.source)
    ours = item.source == plan.source and status == mine.get("status", _ABSENT)
    if not ours or status == "RETIRED" or (last_seen is not None and plan.now - last_seen < grace):
        return
    mine["status"] = "RETIRED"
    plan.retired.append(item.id)
    plan.updated[item.id] = {"status": (status, "RETIRED")}
    plan.results[item.id] = {**item.fields, "status": "RETIRED"}


def _dependencies(
    plan: Plan,
    observation: Observation,
    ids: Mapping[str, str],
    existing: Iterable[tuple[str, str, str | None]],
) -> None:
    stored = {(a, b): made_by for a, b, made_by in existing}
    wanted: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    for dep in observation.dependencies:
        a, b = ids.get(dep.source, dep.source), ids.get(dep.target, dep.target)
        if a != b and (a, b) not in wanted:
            wanted[(a, b)] = (dep.strength, dict(dep.attributes))
    for (a, b), (strength, attributes) in wanted.items():
        if (a, b) not in stored:
            plan.dependencies_added.append((a, b, strength, attributes))
        elif stored[(a, b)] == plan.source:
            plan.dependencies_seen.append((a, b, attributes))
    if not observation.sees_dependencies:
        return
    held = observation.held
    for (a, b), made_by in sorted(stored.items()):
        if made_by == plan.source and (a, b) not in wanted and a not in held and b not in held:
            plan.dependencies_removed.append((a, b))
