"""Read repository for items: by id, pages with filters, relationships in batches, full-text search.

Every read is routed READ so a cluster's secondaries can serve it. Results are plain property dicts (the node's
stored properties, with Neo4j temporal values turned into `datetime`); the GraphQL layer maps them to types.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from neo4j import AsyncDriver, Query, RoutingControl
from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired

from graphsvc.db.connection import translated
from graphsvc.db.cypher import cypher
from graphsvc.domain.facts import Props
from graphsvc.domain.neighbours import Neighbour, Neighbourhood, TypeCount, count_order
from graphsvc.domain.vocabulary import Kind, Rel, RelationRead

__all__ = ["ItemRepository", "Page", "Related", "SelectedPage", "lucene_query", "native_props"]


@dataclass(frozen=True)
class Related:
    """One end of a relationship as seen from an item: the other item and the relationship's properties."""

    item: Props
    rel: Props


@dataclass(frozen=True)
class Page:
    items: list[Props]
    has_next: bool


@dataclass(frozen=True)
class SelectedPage:
    """A page read with its relations in one statement: each item with one list per relationship read asked for (in
    that order: items' properties, or `Related` for a read of `edges`), and how many items match in all."""

    items: list[tuple[Props, list[list[Any]]]]
    has_next: bool
    total: int


TEXT = frozenset({"id", "itemKind", "name", "title"})  # properties that are always text: nothing to convert


def _selected(lists: list[list[Any]], relations: Sequence[RelationRead]) -> list[list[Any]]:
    """The related lists of a selected read: each item's properties, or a `Related` for a read of `edges`. An item
    read for text alone (id, kind, name, title) is used as the driver made it (a page of facilities holds
    thousands). Incoming lists come unordered (cypher/items/selected/related_in.cypher) and are put in id order
    here, the order items/related_in.cypher gives the field-by-field path."""
    for found, read in zip(lists, relations, strict=True):
        if not read.outgoing and len(found) > 1:
            _in_id_order(found, edges=read.edges)
    return [
        [Related(native_props(x["item"]), x["rel"]) for x in found]
        if read.edges
        else found
        if read.fields is not None and TEXT.issuperset(read.fields)
        else [native_props(x) for x in found]
        for found, read in zip(lists, relations, strict=True)
    ]


def _in_id_order(found: list[Any], *, edges: bool) -> None:
    """Sort related items (or, with `edges`, {item, rel} maps) by id as Neo4j's ORDER BY would: ids are text (the
    exchange format's ASCII pattern, where Python's order is Neo4j's), an item without one last."""
    key = _edge_item_id if edges else _item_id
    try:
        found.sort(key=key)
    except TypeError:  # a missing id (data written outside graphsvc): nulls last, as ORDER BY puts them
        found.sort(key=lambda x: ((i := key(x)) is None, i or ""))


def _item_id(x: Mapping[str, Any]) -> Any:
    return x.get("id")


def _edge_item_id(x: Mapping[str, Any]) -> Any:
    return x["item"].get("id")


# Item reads (cypher/items/*) send these two as ISO text (toString): the driver hydrates each DateTime through pytz,
# about 0.25 ms on a slow core, and a page of 50 CIs with their dependents holds some 1,400 of them.
STAMPS = frozenset({"createdAt", "updatedAt"})


def _stamp(text: str) -> datetime | str:
    """Neo4j's text of a DateTime as a datetime. A server whose `db.temporal.timezone` names a region writes
    `...+01:00[Europe/Paris]`: the offset before the bracket says the instant. Text that is no time stays text."""
    try:
        return datetime.fromisoformat(_ZONE_NAME.sub("", text))
    except ValueError:
        return text


_ZONE_NAME = re.compile(r"\[[^\]]*\]$")


def native_props(props: Mapping[str, Any]) -> Props:
    out = {}
    for key, value in props.items():
        if hasattr(value, "to_native"):
            value = value.to_native()
        elif key in STAMPS and isinstance(value, str):
            value = _stamp(value)
        out[key] = value
    return out


_LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/]|&&|\|\|)')


def lucene_query(text: str) -> str:
    """Turn free text into a safe Lucene query: every term escaped, prefix-matched, all terms optional."""
    terms = [t for t in re.split(r"\s+", text.strip()) if t][:16]
    escaped = [_LUCENE_SPECIAL.sub(r"\\\1", t) for t in terms]
    words = [t for t in escaped if t.lower() not in {"and", "or", "not", "to"}]
    return " ".join(f"{w} OR {w}*" for w in words)


UNLIMITED = 2**62  # the `limit` of a relationship read that must see every related item (the CLI, the reports)


class _Conditions(TypedDict):
    site: bool
    owner: bool
    after: bool


def _conditions(site: str | None, owner: str | None, after: str | None = None) -> _Conditions:
    """Which of a page's conditions its statement holds (db/cypher.py: only those a read has, so Neo4j can use its
    indexes and count store)."""
    return {"site": site is not None, "owner": owner is not None, "after": after is not None}


class ItemRepository:
    """Reads over one database through the process's AsyncDriver."""

    def __init__(
        self,
        driver: AsyncDriver,
        database: str,
        *,
        timeout: float | None = None,
        max_concurrent_reads: int | None = None,
    ) -> None:
        self.driver = driver
        self.database = database
        self.timeout = timeout
        self.round_trips = 0  # counted so tests can catch N+1 query patterns
        # A request's repository takes at most this many of the driver's pooled connections at once, so one
        # request (a document of many aliases) cannot drain the pool that every other request shares.
        self._slots = asyncio.Semaphore(max_concurrent_reads) if max_concurrent_reads else contextlib.nullcontext()

    async def read(self, statement: Any, **params: Any) -> list[Any]:
        self.round_trips += 1
        query = Query(statement, timeout=self.timeout)
        try:
            async with self._slots:
                records, _, _ = await self.driver.execute_query(
                    query, parameters_=params, database_=self.database, routing_=RoutingControl.READ
                )
        except (ServiceUnavailable, SessionExpired, Neo4jError) as exc:
            raise translated(exc, self.timeout) from exc
        return list(records)

    async def by_ids(self, ids: Sequence[str]) -> list[Props | None]:
        """Items in the order of `ids` (None where an id is unknown)."""
        rows = (await self.read(cypher("items/lookup"), ids=list(ids)))[0]["rows"]
        found = {i: native_props(props) for i, props in rows}
        return [found.get(i) for i in ids]

    async def page(
        self,
        kind: Kind,
        *,
        first: int,
        after: str | None,
        props: Mapping[str, Any],
        site: str | None = None,
        owner: str | None = None,
    ) -> Page:
        """Up to `first` items of `kind` after the id `after`, in id order."""
        records = await self.read(
            cypher("items/page", label=kind, props=props, **_conditions(site, owner, after)),
            after=after,
            props=dict(props),
            site=site,
            owner=owner,
            limit=first + 1,
        )
        items = [native_props(props) for props in records[0]["rows"]]
        return Page(items[:first], len(items) > first)

    async def count(
        self, kind: Kind, *, props: Mapping[str, Any], site: str | None = None, owner: str | None = None
    ) -> int:
        records = await self.read(
            cypher("items/count", label=kind, props=props, **_conditions(site, owner)),
            props=dict(props),
            site=site,
            owner=owner,
        )
        return int(records[0]["total"])

    async def page_selected(
        self,
        kind: Kind,
        relations: Sequence[RelationRead],
        *,
        first: int,
        after: str | None,
        props: Mapping[str, Any],
        site: str | None = None,
        owner: str | None = None,
        list_limit: int | None = None,
        fields: Sequence[str] | None = None,
    ) -> SelectedPage:
        """`page` and `count` in one statement, each item (only its `fields`, None: all) with the lists of
        `relations` (at most `list_limit` items each): cypher/items/page_selected.cypher."""
        records = await self.read(
            cypher(
                "items/page_selected",
                label=kind,
                props=props,
                relations=relations,
                fields=fields,
                **_conditions(site, owner, after),
            ),
            after=after,
            props=dict(props),
            site=site,
            owner=owner,
            limit=first + 1,
            listLimit=UNLIMITED if list_limit is None else list_limit,
        )
        rows = records[0]["rows"]
        items = [(native_props(p), _selected(lists, relations)) for p, lists in rows[:first]]
        return SelectedPage(items, len(rows) > first, int(records[0]["total"]))

    async def by_ids_selected(
        self,
        ids: Sequence[str],
        relations: Sequence[RelationRead],
        *,
        list_limit: int | None = None,
        fields: Sequence[str] | None = None,
    ) -> list[tuple[Props, list[list[Any]]] | None]:
        """`by_ids`, each item (only its `fields`, None: all) with the lists of `relations`:
        cypher/items/lookup_selected.cypher."""
        records = await self.read(
            cypher("items/lookup_selected", relations=relations, fields=fields),
            ids=list(ids),
            listLimit=UNLIMITED if list_limit is None else list_limit,
        )
        found = {p["id"]: (native_props(p), _selected(lists, relations)) for p, lists in records[0]["rows"]}
        return [found.get(i) for i in ids]

    async def related(
        self, rel: Rel, ids: Sequence[str], *, outgoing: bool, light: bool = False, limit: int | None = None
    ) -> list[list[Related]]:
        """For each id: the items at the other end of its `rel` relationships; with `light`, each item holds only its
        id, kind, name and title (cypher/items/related_*_light.cypher)."""
        name = f"items/related_{'out' if outgoing else 'in'}{'_light' if light else ''}"
        limit = UNLIMITED if limit is None else limit
        records = await self.read(cypher(name, rel=rel), ids=list(dict.fromkeys(ids)), limit=limit)
        grouped: dict[str, list[Related]] = defaultdict(list)
        for source, props, rel_props in records[0]["rows"]:
            grouped[source].append(Related(native_props(props), rel_props))
        return [grouped.get(i, []) for i in ids]

    async def neighbours(self, rel: Rel, ids: Sequence[str], *, outgoing: bool, first: int) -> list[Neighbourhood]:
        """For each id: one side of its `rel` neighbourhood, capped at `first` (cypher/items/neighbours_*.cypher);
        an unknown id has none."""
        name = f"items/neighbours_{'out' if outgoing else 'in'}"
        records = await self.read(cypher(name, rel=rel), ids=list(dict.fromkeys(ids)), first=first)
        found: dict[str, Neighbourhood] = {}
        for record in records:
            counts = sorted(
                (TypeCount(kind, ci_type, int(n)) for kind, ci_type, n in record["counts"]), key=count_order
            )
            shown = [Neighbour(native_props(props), rel_props) for props, rel_props in record["rows"]]
            found[record["id"]] = Neighbourhood(sum(c.count for c in counts), counts, shown)
        return [found.get(i, Neighbourhood(0, [], [])) for i in ids]

    async def search(self, text: str, *, limit: int) -> list[tuple[Props, float]]:
        """Items whose id, name, title or description matches `text`, best first."""
        query = lucene_query(text)
        if not query:
            return []
        records = await self.read(cypher("items/search"), query=query, limit=limit)
        return [(native_props(props), float(score)) for props, score in records[0]["hits"]]
