"""The per-request context: the repository over the process's driver and the request's DataLoaders."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from strawberry.dataloader import DataLoader

from graphsvc.db.audit import Audit
from graphsvc.db.connection import Database, ServerDriver
from graphsvc.db.items import ItemRepository, Related
from graphsvc.domain.facts import Props
from graphsvc.domain.neighbours import Neighbourhood
from graphsvc.domain.tokens import Principal
from graphsvc.domain.vocabulary import Rel
from graphsvc.errors import ListTooLong
from graphsvc.settings import Settings
from graphsvc.usecases.estate import EstateCache
from graphsvc.usecases.events import EventFeed
from graphsvc.usecases.graph_cache import GraphCache
from graphsvc.usecases.sources import Source

__all__ = ["Context", "Loaders", "View"]


class Loaders:
    """DataLoaders for one request: items by id, and each relationship type in each direction."""

    def __init__(self, repo: Source, *, max_list_items: int | None = None) -> None:
        self.repo = repo
        self.max_list_items = max_list_items
        self.item: DataLoader[str, Props | None] = DataLoader(load_fn=repo.by_ids)
        self._rels: dict[tuple[Rel, bool, bool], DataLoader[str, list[Related]]] = {}
        self._neighbours: dict[tuple[Rel, bool, int], DataLoader[str, Neighbourhood]] = {}

    def rel(self, rel: Rel, *, outgoing: bool, light: bool = False) -> DataLoader[str, list[Related]]:
        """The loader of `rel` in one direction; `light` ones read only the related items' id, kind and name."""
        key = (rel, outgoing, light)
        if key not in self._rels:

            async def load(ids: list[str]) -> list[list[Related] | ListTooLong]:
                cap = self.max_list_items
                if cap is None:
                    return list(await self.repo.related(rel, ids, outgoing=outgoing, light=light))
                # One more than the cap is read: enough to tell a list is too long without reading it whole.
                lists = await self.repo.related(rel, ids, outgoing=outgoing, light=light, limit=cap + 1)
                return [
                    found if len(found) <= cap else _too_long(i, rel, outgoing, cap)
                    for i, found in zip(ids, lists, strict=True)
                ]

            self._rels[key] = DataLoader(load_fn=load)
        return self._rels[key]

    def neighbours(self, rel: Rel, *, outgoing: bool, first: int) -> DataLoader[str, Neighbourhood]:
        """The loader of one side of items' neighbourhoods over `rel`, capped at `first` (never too long: counted)."""
        key = (rel, outgoing, first)
        if key not in self._neighbours:

            async def load(ids: list[str]) -> list[Neighbourhood]:
                return await self.repo.neighbours(rel, ids, outgoing=outgoing, first=first)

            self._neighbours[key] = DataLoader(load_fn=load)
        return self._neighbours[key]


def _keys(path: Any) -> tuple[str, ...]:
    """The response keys of a field's path, root first (list indices left out)."""
    keys = []
    while path is not None:
        if isinstance(path.key, str):
            keys.append(path.key)
        path = path.prev
    return tuple(reversed(keys))


def _too_long(item_id: str, rel: Rel, outgoing: bool, cap: int) -> ListTooLong:
    way = f"{rel.value} ->" if outgoing else f"<- {rel.value}"
    return ListTooLong(
        f"{item_id} has more items at the other end of {way} than the {cap:,} a list without paging may "
        "hold (GRAPHSVC_MAX_LIST_ITEMS): page through them with a connection and a filter instead, e.g. "
        "configurationItems(filter: {owner: ...} or {site: ...}), or ask impact(...) for what depends on it"
    )


@dataclass(frozen=True)
class View:
    """What a resolver reads the CMDB through: the database (the request's repository, loaders and the server's graph
    copy), or, under a root `estate(...)` field, that estate in memory (no graph copy: the estate has its own).

    `as_of`: the time the view answers for (None: now), for what is read from the database at that time because no
    estate holds it (the policy exceptions granted, the assessments kept at approval: usecases/changes.py)."""

    repo: Source
    loaders: Loaders
    cache: GraphCache | None
    as_of: datetime | None = None


@dataclass
class Context:
    """What every resolver can reach through `info.context`."""

    db: Database  # writes go through db.bind(writer)(...): resolvers never hold the driver
    settings: Settings
    repo: ItemRepository
    loaders: Loaders
    request: Any = None
    response: Any = None
    graph_cache: GraphCache | None = None  # the process's in-memory dependency graph, if kept
    principal: Principal | None = None  # who is asking (web/middleware.py); None: nobody, so nothing is allowed
    events: EventFeed | None = None  # the server's event feed, on a WebSocket connection (graphql/subscription.py)
    connection_params: dict[str, Any] | None = None  # a WebSocket's connection_init payload (strawberry sets it)
    # the estates this request's fields read from, by the response path of the field that set each up: a root
    # `estate(...)`, or a part of an answer about another time (graphql/estate.py, graphql/drift.py)
    estates: dict[tuple[str, ...], View] = field(default_factory=dict)
    # a root field's exception from this request's lane (graphql/lane.py), by response key: the general path's
    # compiled step raises it rather than running the plan again
    lane_stopped: dict[str | int, Exception] = field(default_factory=dict)
    # whether this request's lane has run (the view's, web/graphql_view.py, or the schema's): it runs once a request
    lane_tried: bool = False

    def enter(self, info: Any, view: View) -> None:
        """Make the fields under the one at `info.path` read through `view`."""
        self.estates[_keys(info.path)] = view

    def enter_estate(self, info: Any, reads: Source, as_of: datetime | None) -> None:
        """Make the fields under the one at `info.path` read `reads` (an estate as of `as_of`, None: now), with
        loaders of their own."""
        self.enter(info, View(reads, Loaders(reads, max_list_items=self.settings.max_list_items), None, as_of))

    @property
    def estate_cache(self) -> EstateCache | None:
        """The server's kept estates (of now, and the last few past times), if it keeps a graph copy."""
        return self.graph_cache.estate if self.graph_cache is not None else None

    def view(self, info: Any) -> View:
        """The view the field at `info.path` reads through: the nearest estate set up above it, else the database."""
        if self.estates:
            keys = _keys(info.path)
            for n in range(len(keys), 0, -1):
                found = self.estates.get(keys[:n])
                if found is not None:
                    return found
        return self.database_view

    @functools.cached_property
    def database_view(self) -> View:
        return View(self.repo, self.loaders, self.graph_cache)

    def audit(self, action: str) -> Audit:
        """Who to record in the audit trail for a write called `action` (the mutation's name)."""
        p = self.principal
        return Audit(p.token_id, p.name, action) if p else Audit("anonymous", "anonymous", action)

    @classmethod
    def create(cls, driver: ServerDriver, database: str, settings: Settings, **kwargs: Any) -> Context:
        repo = ItemRepository(
            driver, database, timeout=settings.tx_timeout_seconds, max_concurrent_reads=settings.max_reads_per_request
        )
        loaders = Loaders(repo, max_list_items=settings.max_list_items)
        return cls(Database(driver, database), settings, repo, loaders, **kwargs)
