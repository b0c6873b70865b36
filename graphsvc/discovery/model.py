"""What a discovery source says exists: the readers' output and the reconciliation's input.

A reader (kubernetes.py, traces.py, spreadsheet.py) turns a source's own format into an `Observation`: items in the
exchange format's terms (ids, kinds and fields as `graphsvc-cmdb/1` has them), dependencies between them, and what
it could not resolve. Readers are pure: they read text and never touch the database. Nothing that looks like a
secret may reach an `Observation` (secrets.py scrubs values before they are kept).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphsvc.domain.vocabulary import Kind

__all__ = ["Observation", "SeenDependency", "SeenItem", "Skipped", "Unresolved"]


@dataclass(frozen=True)
class SeenItem:
    """One item the source sees: its id, kind and exchange fields (`name`, `type`, `environment`, `owner`,
    `attributes`, ...: the exchange format's names and values). `identity` holds what names the same thing across
    sources (`hostname`, `serial`, `cloudResourceId`): two sources that see one machine merge on it."""

    id: str
    kind: Kind
    fields: Mapping[str, Any]
    identity: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SeenDependency:
    """`source` depends on `target` (both item ids), as the source sees it; `attributes` say why (`via`: where the
    reference was found, `callCount` for traces)."""

    source: str
    target: str
    strength: str = "HARD"
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Unresolved:
    """A reference that names nothing the source knows (a host that is no Kubernetes Service, an external host):
    reported, never an error."""

    item: str  # the item whose reference it is
    where: str  # where it was found, e.g. "container api, env DATABASE_URL" or "configmap app-config, key REDIS"
    host: str


@dataclass(frozen=True)
class Skipped:
    """Input the reader did not use, and why (an unknown kind, a document that is no object, a duplicate)."""

    where: str  # e.g. "shop.yaml, document 3"
    reason: str


@dataclass
class Observation:
    """Everything one run of one source saw. `source` names it as items will carry it: `kubernetes:<cluster>`,
    `traces:<name>`, `csv:<file name>`."""

    source: str
    items: list[SeenItem] = field(default_factory=list)
    dependencies: list[SeenDependency] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    # ids the source names but could not read this run (a bad row skipped): neither updated nor retired, and their
    # dependencies stay
    held: set[str] = field(default_factory=set)
    # False when the run says nothing about dependencies (a spreadsheet read without its dependencies file): the
    # dependencies the source made stay as they are
    sees_dependencies: bool = True
