"""What a write did, read off its audit entries: created, updated or deleted; incidents opened and resolved; changes
that moved."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from graphsvc.domain.events import (
    IncidentEventKind,
    WriteEvent,
    WriteOperation,
    change_moves,
    incident_events,
    item_write,
)


def write(*entries: tuple[str, dict[str, Any] | None, dict[str, Any] | None]) -> WriteEvent:
    items = tuple(item_write(*e) for e in entries)
    return WriteEvent(1, datetime(2026, 12, 1, tzinfo=UTC), "tok", "someone", "act", items, len(items))


def test_operations_and_changed_fields() -> None:
    created = item_write("CI-1", None, {"itemKind": "CONFIGURATION_ITEM", "name": "a", "version": 1})
    assert (created.operation, created.kind, created.fields) == (
        WriteOperation.CREATED,
        "CONFIGURATION_ITEM",
        ("itemKind", "name"),
    )
    updated = item_write(
        "CI-1",
        {"itemKind": "CONFIGURATION_ITEM", "name": "a", "version": 1, "updatedAt": "x"},
        {"itemKind": "CONFIGURATION_ITEM", "name": "b", "version": 2, "updatedAt": "y"},
    )
    assert (updated.operation, updated.fields) == (WriteOperation.UPDATED, ("name",))
    deleted = item_write("CI-1", {"itemKind": "CONFIGURATION_ITEM"}, None)
    assert deleted.operation is WriteOperation.DELETED
    dependency = item_write("APP", None, {"dependsOn": "DB"})  # not a whole item: an update of APP
    assert (dependency.operation, dependency.kind, dependency.fields) == (WriteOperation.UPDATED, None, ("dependsOn",))


def test_incidents_opened_and_resolved() -> None:
    opened = write(("I-1", None, {"itemKind": "INCIDENT", "status": "OPEN"}))
    assert [(e.kind, e.incident_id) for e in incident_events(opened)] == [(IncidentEventKind.OPENED, "I-1")]
    resolved = write(
        ("I-1", {"itemKind": "INCIDENT", "status": "OPEN"}, {"itemKind": "INCIDENT", "status": "RESOLVED"})
    )
    assert [e.kind for e in incident_events(resolved)] == [IncidentEventKind.RESOLVED]
    imported_resolved = write(("I-2", None, {"itemKind": "INCIDENT", "status": "RESOLVED"}))  # history, not news
    renamed = write(
        ("I-1", {"itemKind": "INCIDENT", "status": "OPEN", "title": "a"}, {"itemKind": "INCIDENT", "status": "OPEN"})
    )
    assert incident_events(imported_resolved) == incident_events(renamed) == []


def test_changes_that_moved() -> None:
    moved = write(
        ("C-1", {"itemKind": "CHANGE", "status": "DRAFT"}, {"itemKind": "CHANGE", "status": "SUBMITTED"}),
        ("C-2", None, {"itemKind": "CHANGE", "status": "DRAFT"}),  # created: not a move
        ("C-3", {"itemKind": "CHANGE", "status": "DRAFT"}, {"itemKind": "CHANGE", "status": "DRAFT", "title": "t"}),
        ("C-4", None, {"policyException": "POL-1"}),  # an exception granted: no status
    )
    assert [(m.change_id, m.from_status, m.to_status) for m in change_moves(moved)] == [("C-1", "DRAFT", "SUBMITTED")]
