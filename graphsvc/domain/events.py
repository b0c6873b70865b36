"""What a write did, as the event feed tells subscribers (graphql/subscription.py): read from the audit trail
(db/audit_feed.py), so writes of every process count, the CLI's and other server workers' included.

A `WriteEvent` is one committed write: when, who, the action (the mutation's name, `import`, `alertmanager`, ...) and
each item it changed with how (created, updated, deleted, and which fields). Incident and change events are read off
it: an incident that appears OPEN was opened, one whose status turns RESOLVED was resolved; a stored change whose
status differs before and after moved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

__all__ = [
    "ChangeMoved",
    "IncidentEvent",
    "IncidentEventKind",
    "ItemWrite",
    "WriteEvent",
    "WriteOperation",
    "change_moves",
    "incident_events",
    "item_write",
    "may_change_status",
]

# What the service desk's board (analysis/status.py) reads: the open incidents, the services, CIs and redundancy
# groups and the dependencies between them (an entry without a kind). A CI whose only changed fields are these
# bookkeeping ones (a utilization reading, discovery seeing it again) cannot move the board.
STATUS_KINDS = frozenset({"INCIDENT", "SERVICE", "CONFIGURATION_ITEM", "REDUNDANCY_GROUP"})
STATUS_BLIND_FIELDS = frozenset({"utilization", "utilizationAt", "lastSeenAt", "version", "updatedAt", "hash"})


class WriteOperation(StrEnum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    DELETED = "DELETED"


class IncidentEventKind(StrEnum):
    OPENED = "OPENED"
    RESOLVED = "RESOLVED"


@dataclass(frozen=True)
class ItemWrite:
    """One item's entry in a write: its id, kind (None for an entry that is not a whole item, such as a dependency
    added to it), how it changed, and the names of the properties that differ."""

    item_id: str
    kind: str | None
    operation: WriteOperation
    fields: tuple[str, ...]
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None


@dataclass(frozen=True)
class WriteEvent:
    """One committed write. `items` holds at most the feed's cap of entries; `item_count` is how many there are."""

    position: int  # the journal position of the write (its last, for a write that recorded states several times)
    at: datetime
    actor_id: str
    actor_name: str
    action: str
    items: tuple[ItemWrite, ...]
    item_count: int


@dataclass(frozen=True)
class IncidentEvent:
    kind: IncidentEventKind
    incident_id: str
    write: WriteEvent


@dataclass(frozen=True)
class ChangeMoved:
    change_id: str
    from_status: str | None
    to_status: str
    write: WriteEvent


def item_write(item_id: str, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> ItemWrite:
    """An audit entry's (before, after) as an `ItemWrite`: created when a whole item appears (it has a kind after and
    nothing before), deleted when one disappears, updated otherwise."""
    kind = (after or {}).get("itemKind") or (before or {}).get("itemKind")
    if before is None and after is not None and "itemKind" in after:
        operation = WriteOperation.CREATED
    elif after is None and before is not None and "itemKind" in before:
        operation = WriteOperation.DELETED
    else:
        operation = WriteOperation.UPDATED
    old, new = before or {}, after or {}
    fields = tuple(
        sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k) and k not in ("version", "updatedAt"))
    )
    return ItemWrite(item_id, str(kind) if kind else None, operation, fields, before, after)


def incident_events(write: WriteEvent) -> list[IncidentEvent]:
    """The incidents the write opened or resolved."""
    found = []
    for item in write.items:
        if item.kind != "INCIDENT" or item.after is None:
            continue
        was, now = (item.before or {}).get("status"), item.after.get("status")
        if item.operation is WriteOperation.CREATED and now == "OPEN":
            found.append(IncidentEvent(IncidentEventKind.OPENED, item.item_id, write))
        elif item.before is not None and was != "RESOLVED" and now == "RESOLVED":
            found.append(IncidentEvent(IncidentEventKind.RESOLVED, item.item_id, write))
    return found


def change_moves(write: WriteEvent) -> list[ChangeMoved]:
    """The stored changes whose status the write set to another one (a change created is not a move)."""
    found = []
    for item in write.items:
        if item.kind != "CHANGE" or item.after is None or "status" not in item.after:
            continue
        was, now = (item.before or {}).get("status"), item.after["status"]
        if item.before is not None and was is not None and was != now:
            found.append(ChangeMoved(item.item_id, was, str(now), write))
    return found


def may_change_status(write: WriteEvent) -> bool:
    """Whether the write could change the service status board: it touched an incident, a service, a redundancy
    group, a dependency, or a CI beyond its bookkeeping fields (or it has more entries than the event lists)."""
    if write.item_count > len(write.items):
        return True
    for item in write.items:
        if item.kind is None:
            return True
        if item.kind not in STATUS_KINDS:
            continue
        if item.kind != "CONFIGURATION_ITEM" or item.operation is not WriteOperation.UPDATED:
            return True
        if not set(item.fields) <= STATUS_BLIND_FIELDS:
            return True
    return False
