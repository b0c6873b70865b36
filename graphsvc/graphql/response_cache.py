"""Answers to browse queries kept until the data changes: the same page asked again is served from memory.

An analyst paging through CIs, a dashboard polling a service's detail, thirty people opening the same first page:
the answer is the same until something is written. A query is kept when it can only read stored data:

- it is a query (not a mutation or subscription), asked without errors;
- every root field declares that its answer may be kept (`metadata=needs(..., kept=True)`, graphql/access.py):
  the plain reads (`item`, `processes`, `search`, the item collections such as `configurationItems` and the
  lookups by id such as `service(id:)`) and the analyses of the dependency graph alone (`impact`, `siteFailure`:
  no clock, no incidents or changes, only items and their relationships), and the service desk's board
  (`serviceStatus`: wall screens poll it; it reads the clock only for incidents dated ahead of now, which it sees
  within the answer's lifetime); nothing else computed against the clock or the whole estate declares it;
- every field in it, fragments included, needs no more than the `viewer` role, except kept fields at the root
  (the graph analyses need `analyst`). A kept answer is served only to a token whose role may ask every field of
  it, so it reveals nothing that token could not ask for itself; the answer is the same whoever asks.

The key is the document's text, the operation name and the variables. An answer is served while the database's
fingerprint is the one it was computed under and it is younger than its lifetime: drawn for each answer between
half of `max_age` and all of it, so that answers first asked together (a dashboard's, a warm-up's) are not all asked
afresh in the same moment, each holding the event loop while it is computed. The fingerprint is one
constant-time read (cypher/meta/data_fingerprint.cypher): how many audit entries there are and the newest one's
time, and how many items and relationships. Every graphsvc write to an item records at least one audit entry in its
own transaction, so it moves it (the later transactions of a large import, which only add relationships and record
the journal's states, move the relationship and audit counts); items or relationships added or deleted behind
graphsvc's back move it too, unless an addition and a deletion cancel out. A property edited behind graphsvc's back
(cypher-shell) is seen once the answer is let go for its age (at most `max_age`), or after the next graphsvc write;
in an `impact` or `siteFailure` answer computed from the in-memory graph, only after the next graphsvc write (the
graph copy does not see such edits either: usecases/graph_cache.py).
"""

from __future__ import annotations

import json
import random
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    OperationType,
    get_operation_ast,
    parse,
)

from graphsvc.db.graph import DataFingerprint as Fingerprint
from graphsvc.domain.tokens import Role
from graphsvc.graphql.access import access_of
from graphsvc.graphql.permissions import required_role
from graphsvc.util import json_bytes

__all__ = ["ResponseCache", "cacheable"]

# Browse documents are a few KB. Longer texts are not looked at (parsing one costs the event loop, before
# strawberry's own limits run), and the key's parts are bounded so the budget holds.
MAX_QUERY_CHARS = 16_384
MAX_VARIABLES_CHARS = 4_096
MAX_TOKENS = 2_000
ENTRY_OVERHEAD = 600  # bytes of bookkeeping per kept answer (the entry, the key's tuple and dict slot), roughly

Key = tuple[str, str | None, str]


def _kept_roots(schema: GraphQLSchema) -> frozenset[str]:
    """The Query fields that declare their answers may be kept, and `__typename`."""
    query = schema.query_type
    assert query is not None
    declared = {name for name, field in query.fields.items() if (access := access_of(field)) and access.kept}
    return frozenset({"__typename", *declared})


def cacheable(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None) -> Role | None:
    """The role a token needs to be served an operation's kept answer, or None if it is never kept (see the
    module's docstring)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.QUERY:
        return None
    roots = _kept_roots(schema)
    names = set()
    for selection in operation.selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.name.value not in roots:
            return None  # fragments at the root are not worth following: such an operation is asked afresh
        names.add(selection.name.value)
    if names == {"__typename"}:
        return None  # a client's ping: nothing worth keeping, and it should not wait on a database read
    role, fields = required_role(schema, document, operation_name)
    if role is Role.viewer:
        return role
    if all(f.startswith("Query.") and f.removeprefix("Query.") in roots for f in fields):
        return role  # only kept root fields (the graph analyses) need more than viewer
    return None


@dataclass
class _Entry:
    fingerprint: Fingerprint
    expires: float  # monotonic time after which it is not served
    size: int
    text: str  # the answer's data as JSON: as small as it gets, and every hit decodes its own copy


class ResponseCache:
    """Kept answers, least recently used first out, within `max_bytes`, each for between `max_age` / 2 and
    `max_age` seconds (see the module's docstring).

    The budget counts each answer's JSON text, its key (query and variables) and a fixed overhead per entry."""

    def __init__(
        self,
        schema: GraphQLSchema,
        *,
        max_age: float,
        max_bytes: int,
        max_documents: int = 500,
        max_entries: int = 20_000,
        rng: random.Random | None = None,
    ) -> None:
        self.schema = schema
        self._rng = rng or random.Random()
        self.max_age = max_age
        self.max_bytes = max_bytes
        self.max_documents = max_documents
        self.max_entries = max_entries
        self.entries: OrderedDict[Key, _Entry] = OrderedDict()
        self.size = 0
        self.hits = 0
        self.misses = 0
        self.shared = 0  # misses that waited for the same question's answer being computed (graphsvc/web/app.py), also
        # when that computation failed and they asked for themselves
        # (document, operation) -> the role needed to be served its kept answer (None: never kept)
        self._kinds: OrderedDict[tuple[str, str | None], Role | None] = OrderedDict()

    def key(self, query: Any, operation_name: Any, variables: Any, *, role: Role | None) -> Key | None:
        """The key of a request whose answer may be kept and served to a token of `role` (None: no token), else None
        (also for anything malformed: strawberry then answers it as it would have, refusals included)."""
        if not isinstance(query, str) or not query or len(query) > MAX_QUERY_CHARS:
            return None
        if operation_name is not None and not isinstance(operation_name, str):
            return None
        kind = (query, operation_name)
        if kind not in self._kinds:
            try:
                document = parse(query, max_lexical_tokens=MAX_TOKENS, max_comments=MAX_TOKENS)
                self._kinds[kind] = cacheable(self.schema, document, operation_name)
            except (GraphQLError, RecursionError):  # not a document (or too long): strawberry says why
                self._kinds[kind] = None
            if len(self._kinds) > self.max_documents:
                self._kinds.popitem(last=False)
        needed = self._kinds[kind]
        if needed is None or role is None or not role.allows(needed):
            return None
        try:
            shown = json.dumps(variables or {}, sort_keys=True, separators=(",", ":"))
        except (TypeError, ValueError, RecursionError):
            return None
        if len(shown) > MAX_VARIABLES_CHARS:
            return None
        return query, operation_name, shown

    def get(self, key: Key, fingerprint: Fingerprint, *, now: float | None = None) -> dict[str, Any] | None:
        text = self.get_text(key, fingerprint, now=now)
        found: dict[str, Any] | None = None if text is None else json.loads(text)
        return found

    def get_text(self, key: Key, fingerprint: Fingerprint, *, now: float | None = None) -> str | None:
        """The kept answer's data as JSON text, if it is current (the server sends it as it is)."""
        entry = self.entries.get(key)
        now = time.monotonic() if now is None else now
        if entry is None or entry.fingerprint != fingerprint or now > entry.expires:
            if entry is not None:
                self._drop(key)
            self.misses += 1
            return None
        self.entries.move_to_end(key)
        self.hits += 1
        return entry.text

    def put(self, key: Key, fingerprint: Fingerprint, data: dict[str, Any], *, now: float | None = None) -> None:
        text = json_bytes(data).decode()  # as a fresh answer is written (web/graphql_view.py): the same bytes
        size = len(text) + len(key[0]) + len(key[2]) + ENTRY_OVERHEAD
        if size > self.max_bytes // 4:
            return  # one answer may not push out everything else
        if key in self.entries:
            self._drop(key)
        lifetime = self.max_age * (0.5 + 0.5 * self._rng.random())
        self.entries[key] = _Entry(fingerprint, (time.monotonic() if now is None else now) + lifetime, size, text)
        self.size += size
        while self.size > self.max_bytes or len(self.entries) > self.max_entries:
            self._drop(next(iter(self.entries)))

    def _drop(self, key: Key) -> None:
        self.size -= self.entries.pop(key).size
