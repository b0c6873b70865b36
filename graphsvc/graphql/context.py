"""The per-request context: the repository over the process's driver and the request's DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from neo4j import AsyncDriver
from strawberry.dataloader import DataLoader

from graphsvc.auth.tokens import Principal
from graphsvc.db.audit import Audit
from graphsvc.db.items import ItemRepository, Props, Related
from graphsvc.domain.vocabulary import Rel
from graphsvc.settings import Settings
from graphsvc.usecases.graph_cache import GraphCache

__all__ = ["Context", "Loaders"]


class Loaders:
    """DataLoaders for one request: items by id, and each relationship type in each direction."""

    def __init__(self, repo: ItemRepository) -> None:
        self.repo = repo
        self.item: DataLoader[str, Props | None] = DataLoader(load_fn=repo.by_ids)
        self._rels: dict[tuple[Rel, bool, bool], DataLoader[str, list[Related]]] = {}

    def rel(self, rel: Rel, *, outgoing: bool, light: bool = False) -> DataLoader[str, list[Related]]:
        """The loader of `rel` in one direction; `light` ones read only the related items' id, kind and name."""
        key = (rel, outgoing, light)
        if key not in self._rels:

            async def load(ids: list[str]) -> list[list[Related]]:
                return await self.repo.related(rel, ids, outgoing=outgoing, light=light)

            self._rels[key] = DataLoader(load_fn=load)
        return self._rels[key]


@dataclass
class Context:
    """What every resolver can reach through `info.context`."""

    driver: AsyncDriver
    database: str
    settings: Settings
    repo: ItemRepository
    loaders: Loaders
    request: Any = None
    response: Any = None
    graph_cache: GraphCache | None = None  # the process's in-memory dependency graph, if kept
    principal: Principal | None = None  # who is asking (auth/middleware.py); None: nobody, so nothing is allowed

    def audit(self, action: str) -> Audit:
        """Who to record in the audit trail for a write called `action` (the mutation's name)."""
        p = self.principal
        return Audit(p.token_id, p.name, action) if p else Audit("anonymous", "anonymous", action)

    @classmethod
    def create(cls, driver: AsyncDriver, database: str, settings: Settings, **kwargs: Any) -> Context:
        repo = ItemRepository(driver, database, timeout=settings.tx_timeout_seconds)
        return cls(driver, database, settings, repo, Loaders(repo), **kwargs)
