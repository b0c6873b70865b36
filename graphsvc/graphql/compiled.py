"""Plain reads compiled: a root item listing (`configurationItems(...)`) or lookup (`service(id:)`) whose selection
asks only stored properties and related items is answered from one Cypher statement
(cypher/items/page_selected.cypher, lookup_selected.cypher), its JSON built from the records by a plan made from the
selection, with no GraphQL object, resolver or DataLoader per field. That is how @neo4j/graphql answers a whole
selection (ARCHITECTURE.md); the field-by-field path read the page, the count and each relationship apart and
completed every value of every related item through the executor.

It runs inside execution (schema.CodedExecution.execute_field), so a document reaches it validated, within the
limits and authorised exactly as any other. It answers only what it can answer exactly as the field-by-field path
would; anything else goes there:
- a selection with fragments, directives, arguments below the root, a response key asked twice, or a field that is
  not a stored property, a relationship of `RELATIONS`, a page's `totalCount`, `pageInfo`, `edges` or `nodes`;
- a kind whose type builds itself in its own way (`Incident`), or a root field under `estate(...)` (not a root);
- an answer that would not be the same: a list longer than GRAPHSVC_MAX_LIST_ITEMS (the field-by-field path names
  it in its error), a stored value missing for a non-null field, a related item of another kind than the field's
  type, and any failure (the field-by-field path then says what is wrong in its own words).
One difference, only for data graphsvc never writes (docs/operations.md): a stored value outside its type in a
property the document does not ask for (a CI `type` that is no CIType, written directly in Neo4j) fails the
field-by-field answer, which builds each item whole; here only what is asked is read and converted.
`STATS` counts both ways, for the tests and /metrics-minded readers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLID,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLString,
    SelectionSetNode,
)

from graphsvc.domain.facts import Props, display_name
from graphsvc.domain.vocabulary import Kind, Rel, RelationRead
from graphsvc.graphql import types as t
from graphsvc.graphql.pagination import decode_cursor, encode_cursor, page_size

__all__ = ["EDGES", "PLAIN_READ", "RELATIONS", "STATS", "NotCompiled", "PlainRead", "Stats", "built", "plan_root"]

PLAIN_READ = "graphsvc.plain_read"  # the metadata key of a root field that may be compiled

# (type or interface, field) -> (relationship, outgoing, one item rather than a list): the relationship fields of
# graphql/types.py that read `_items` / `_one` (tests/api/test_compiled_reads.py asks each both ways).
RELATIONS: dict[tuple[str, str], tuple[Rel, bool, bool]] = {
    ("Item", "governedBy"): (Rel.GOVERNS, False, False),
    ("Item", "changes"): (Rel.MODIFIES, False, False),
    ("Dependable", "dependsOn"): (Rel.DEPENDS_ON, True, False),
    ("Dependable", "dependents"): (Rel.DEPENDS_ON, False, False),
    ("Dependable", "memberOf"): (Rel.HAS_MEMBER, False, False),
    ("Dependable", "incidents"): (Rel.AFFECTS, False, False),
    ("Dependable", "problems"): (Rel.CAUSED_BY, False, False),
    ("BusinessUnit", "slas"): (Rel.AGREED_WITH, False, False),
    ("BusinessUnit", "requirements"): (Rel.RAISED_BY, False, False),
    ("Team", "owns"): (Rel.OWNED_BY, False, False),
    ("Site", "items"): (Rel.LOCATED_AT, False, False),
    ("Requirement", "refines"): (Rel.REFINES, True, False),
    ("Requirement", "refinedBy"): (Rel.REFINES, False, False),
    ("Requirement", "raisedBy"): (Rel.RAISED_BY, True, False),
    ("Requirement", "metrics"): (Rel.MEASURES, False, False),
    ("Requirement", "satisfiedBy"): (Rel.SATISFIES, False, False),
    ("Metric", "requirement"): (Rel.MEASURES, True, True),
    ("Service", "owner"): (Rel.OWNED_BY, True, True),
    ("Service", "satisfies"): (Rel.SATISFIES, True, False),
    ("Service", "slas"): (Rel.COVERS, False, False),
    ("ConfigurationItem", "site"): (Rel.LOCATED_AT, True, True),
    ("ConfigurationItem", "owner"): (Rel.OWNED_BY, True, True),
    ("RedundancyGroup", "members"): (Rel.HAS_MEMBER, True, False),
    ("Release", "changes"): (Rel.PART_OF, False, False),
    ("SLA", "service"): (Rel.COVERS, True, True),
    ("SLA", "businessUnit"): (Rel.AGREED_WITH, True, True),
    ("Policy", "governs"): (Rel.GOVERNS, True, False),
    ("Process", "interfacesWith"): (Rel.INTERFACES_WITH, True, False),
    ("Process", "interfacedBy"): (Rel.INTERFACES_WITH, False, False),
}


@dataclass(frozen=True)
class Edge:
    """A field listing relationship objects (graphql/types.py's `Consumption`): the relationship read, the object's
    field holding the item at the other end, the one holding the item asked about, and its fields read from the
    relationship's properties (stored name, default)."""

    rel: Rel
    outgoing: bool
    other: str
    parent: str
    values: dict[str, tuple[str, Any]]


SHARE = {"share": ("share", 1.0)}
EDGES: dict[tuple[str, str], Edge] = {
    ("Service", "consumers"): Edge(Rel.CONSUMES, False, "businessUnit", "service", SHARE),
    ("BusinessUnit", "consumes"): Edge(Rel.CONSUMES, True, "service", "businessUnit", SHARE),
}


class NotCompiled(Exception):
    """This answer cannot be given exactly from the statement's records: the field-by-field path gives it."""


class AtRoot(Exception):
    """`error` is the root field's answer, as its resolver would raise it (compiled_impact.py: an unknown origin)."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass
class Stats:
    answered: int = 0  # root fields answered compiled
    fell_back: int = 0  # compiled, then answered field by field (a long list, a missing value, a failure)


STATS = Stats()


@dataclass(frozen=True)
class PlainRead:
    """What a root field declares to be compiled: the kind it reads, whether it is a page (else a lookup by id), and
    how its `filter` argument becomes property, site and owner filters (graphql/listing.py)."""

    kind: Kind
    page: bool
    filters: Callable[[Any], tuple[dict[str, Any], str | None, str | None]] | None = None


Shape = Callable[[Props, list[list[Props]]], dict[str, Any]]


def _unwrap(gql_type: GraphQLOutputType) -> tuple[Any, bool, bool]:
    """The named type, whether the outer type is non-null, whether it is a list (of named items)."""
    non_null = isinstance(gql_type, GraphQLNonNull)
    inner: Any = gql_type.of_type if isinstance(gql_type, GraphQLNonNull) else gql_type
    is_list = isinstance(inner, GraphQLList)
    if is_list:
        inner = inner.of_type
        inner = inner.of_type if isinstance(inner, GraphQLNonNull) else inner
    return inner, non_null, is_list


def _fields(selection_set: SelectionSetNode | None) -> list[tuple[str, FieldNode]] | None:
    """(response key, field) of a selection without fragments, directives, arguments or a key asked twice."""
    if selection_set is None:
        return None
    found: list[tuple[str, FieldNode]] = []
    keys = set()
    for node in selection_set.selections:
        if not isinstance(node, FieldNode) or node.directives or node.arguments:
            return None
        key = node.alias.value if node.alias else node.name.value
        if key in keys:
            return None
        keys.add(key)
        found.append((key, node))
    return found


def _definition(gql_type_or_field: Any) -> Any:
    """What strawberry defined a GraphQL type or field from (its class, its field with python name and resolver)."""
    return (gql_type_or_field.extensions or {}).get("strawberry-definition")


def _item_class(gql_type: Any) -> type[t.Item] | None:
    """The item class behind an object type, if it builds itself as every item does (Item.from_props)."""
    origin = getattr(_definition(gql_type), "origin", None)
    if not (isinstance(origin, type) and issubclass(origin, t.Item)):
        return None
    if origin.from_props.__func__ is not t.Item.from_props.__func__:  # type: ignore[attr-defined]
        return None  # e.g. Incident keeps a private value: its objects are not its properties alone
    return origin


_TYPENAMES: dict[str, str] = {}


def _kind_typename(p: Props) -> str:
    return _typename(p["itemKind"])


def _typename(kind: str) -> str:
    if kind not in _TYPENAMES:
        _TYPENAMES[kind] = t.TYPES[Kind(kind)].__strawberry_definition__.name  # type: ignore[attr-defined]
    return _TYPENAMES[kind]


def _scalar(cls: type[t.Item], gql_field: GraphQLField) -> Callable[[Props], Any] | None:
    """A stored property's value as the API serialises it, as Item.from_props and the field's type make it."""
    definition = _definition(gql_field)
    if definition is None or definition.base_resolver is not None:
        return None
    name = definition.python_name
    named, non_null, is_list = _unwrap(gql_field.type)
    if is_list or not isinstance(named, GraphQLScalarType | GraphQLEnumType):
        return None
    serialize = named.serialize
    if name == "id" and named is GraphQLID:
        return lambda p: str(p["id"])  # what GraphQLID makes of text: the text (a page holds thousands of ids)
    if name == "name" and named is GraphQLString:
        return display_name  # text, as GraphQLString leaves it
    if name == "id":
        return lambda p: serialize(str(p["id"]))
    if name == "item_kind":
        return lambda p: serialize(Kind(p["itemKind"]))
    if name == "name":
        return lambda p: serialize(display_name(p))
    if name == "version":
        return lambda p: serialize(int(p.get("version") or 0))
    stored = t._camel(name)  # the stored property Item.from_props fills it from
    if t._snake(stored) != name:
        return None
    enum = cls.ENUMS.get(stored)
    money = stored in cls.MONEY
    as_json = stored in cls.JSON_FIELDS

    def value(p: Props) -> Any:
        v = p.get(stored)
        if v is None:
            if non_null:
                raise NotCompiled(f"{stored} is missing")
            return None
        if enum is not None:
            v = enum(v)
        elif money:
            v = t.money(v)
        elif as_json and isinstance(v, str):
            v = json.loads(v)
        return serialize(v)

    return value


def _relation(gql_type: GraphQLObjectType, name: str) -> tuple[Rel, bool, bool] | None:
    """The relationship a field reads: its type's own entry, else its interface's, if the type keeps the interface's
    resolver (a Release's own `changes` reads PART_OF, not Item's MODIFIES)."""
    found = RELATIONS.get((gql_type.name, name))
    if found is not None:
        return found
    mine = _resolver(gql_type.fields[name])
    for interface in gql_type.interfaces:
        found = RELATIONS.get((interface.name, name))
        if found is not None and name in interface.fields and _resolver(interface.fields[name]) is mine:
            return found
    return None


def _resolver(gql_field: GraphQLField) -> Any:
    resolver = getattr(_definition(gql_field), "base_resolver", None)
    return getattr(resolver, "wrapped_func", None)


def _stored_keys(gql_field: GraphQLField) -> tuple[str, ...]:
    """The stored properties a field's value is made from (Item.from_props)."""
    name = _definition(gql_field).python_name
    return _KEYS.get(name) or (t._camel(name),)


_KEYS = {"id": ("id",), "item_kind": ("itemKind",), "name": ("name", "title", "id"), "version": ("version",)}
ALWAYS = ("id", "itemKind")  # every item read carries these (its cursor, its kind's check)


def _plan_item(named: Any, selection: SelectionSetNode | None, needs: set[str]) -> Callable[[Props], Any] | None:
    """How to shape one related item of `named` (an item type, or the Item interface) from its properties; the stored
    properties it needs are added to `needs`."""
    fields = _fields(selection)
    if fields is None:
        return None
    needs.add("id")  # never an empty projection
    if isinstance(named, GraphQLInterfaceType):
        cls: type[t.Item] = t.Item  # an Item list: only the interface's fields, whatever each item's kind
        expected: str | None = None
    elif isinstance(named, GraphQLObjectType) and (found := _item_class(named)) is not None:
        cls, expected = found, named.name
        needs.add("itemKind")  # for its kind's check
    else:
        return None
    getters: list[tuple[str, Callable[..., Any]]] = []
    for key, node in fields:
        if node.name.value == "__typename":
            getters.append((key, _kind_typename))
            needs.add("itemKind")
            continue
        sub = named.fields.get(node.name.value)
        getter = _scalar(cls, sub) if sub is not None and node.selection_set is None else None
        if getter is None:
            return None
        getters.append((key, getter))
        needs.update(_stored_keys(sub))

    build = built(getters)
    if expected is None:
        return build
    kinds = _kinds_of(expected)

    def item(p: Props) -> dict[str, Any]:
        if p["itemKind"] not in kinds:
            raise NotCompiled(f"{p['id']} is not a {expected}")
        return build(p)

    return item


def _kinds_of(typename: str) -> frozenset[str]:
    """The stored kinds (`itemKind`) whose items are of the object type `typename`."""
    return frozenset(kind.value for kind in Kind if _typename(kind.value) == typename)


def built(getters: Sequence[tuple[str, Callable[[Any], Any]]]) -> Callable[[Any], dict[str, Any]]:
    """One function making the dict of `getters` ((key, get) pairs, in order) from a value. Up to eight are written
    out: a comprehension is a call of its own for every item, and a hub's page shapes thousands of related items
    (half the time for `{ id name }`); the contract's impacted entries have seven fields."""
    match tuple(getters):
        case ((k0, g0),):
            return lambda v: {k0: g0(v)}
        case ((k0, g0), (k1, g1)):
            return lambda v: {k0: g0(v), k1: g1(v)}
        case ((k0, g0), (k1, g1), (k2, g2)):
            return lambda v: {k0: g0(v), k1: g1(v), k2: g2(v)}
        case ((k0, g0), (k1, g1), (k2, g2), (k3, g3)):
            return lambda v: {k0: g0(v), k1: g1(v), k2: g2(v), k3: g3(v)}
        case ((k0, g0), (k1, g1), (k2, g2), (k3, g3), (k4, g4)):
            return lambda v: {k0: g0(v), k1: g1(v), k2: g2(v), k3: g3(v), k4: g4(v)}
        case ((k0, g0), (k1, g1), (k2, g2), (k3, g3), (k4, g4), (k5, g5)):
            return lambda v: {k0: g0(v), k1: g1(v), k2: g2(v), k3: g3(v), k4: g4(v), k5: g5(v)}
        case ((k0, g0), (k1, g1), (k2, g2), (k3, g3), (k4, g4), (k5, g5), (k6, g6)):
            return lambda v: {k0: g0(v), k1: g1(v), k2: g2(v), k3: g3(v), k4: g4(v), k5: g5(v), k6: g6(v)}
        case ((k0, g0), (k1, g1), (k2, g2), (k3, g3), (k4, g4), (k5, g5), (k6, g6), (k7, g7)):
            return lambda v: {k0: g0(v), k1: g1(v), k2: g2(v), k3: g3(v), k4: g4(v), k5: g5(v), k6: g6(v), k7: g7(v)}
        case _:
            pairs = tuple(getters)
            return lambda v: {key: get(v) for key, get in pairs}


def _plan_related(
    gql_field: GraphQLField, selection: SelectionSetNode | None, index: int, one: bool, needs: set[str]
) -> Callable[[Props, list[list[Any]]], Any] | None:
    """How to shape the `index`th list of related items (the stored properties of its items it needs are added to
    `needs`)."""
    named, non_null, _ = _unwrap(gql_field.type)
    item = _plan_item(named, selection, needs)
    if item is None:
        return None

    def shape(parent: Props, lists: list[list[Any]]) -> Any:
        found = lists[index]
        if one:
            if not found:
                if non_null:
                    raise NotCompiled("a required related item is missing")
                return None
            return item(found[0])
        return [item(p) for p in found]

    return shape


def _other_end(item: Callable[[Props], Any]) -> Callable[[Props, Any], Any]:
    return lambda parent, related: item(related.item)


def _this_end(item: Callable[[Props], Any]) -> Callable[[Props, Any], Any]:
    return lambda parent, related: item(parent)


def _rel_value(serialize: Callable[[Any], Any], stored: str, default: Any) -> Callable[[Props, Any], Any]:
    return lambda parent, related: serialize(related.rel.get(stored, default))


def _plan_edges(
    gql_field: GraphQLField,
    selection: SelectionSetNode | None,
    index: int,
    edge: Edge,
    parent_type: Any,
    needs: tuple[set[str], set[str]],
) -> Callable[[Props, list[list[Any]]], Any] | None:
    """How to shape the `index`th list of relationship objects (a service's consumers) from `Related` entries."""
    named = _unwrap(gql_field.type)[0]
    fields = _fields(selection)
    if fields is None or not isinstance(named, GraphQLObjectType):
        return None
    parts: list[tuple[str, Callable[[Props, Any], Any]]] = []
    for key, node in fields:
        name = node.name.value
        if name == "__typename":
            parts.append((key, _constant(named.name)))
        elif name in (edge.other, edge.parent) and name in named.fields:
            target = _unwrap(named.fields[name].type)[0]
            if name == edge.parent and target is not parent_type:
                return None
            # the other end's properties come with the relationship; this end's are the parent's
            item = _plan_item(target, node.selection_set, needs[0] if name == edge.other else needs[1])
            if item is None:
                return None
            parts.append((key, _other_end(item) if name == edge.other else _this_end(item)))
        elif name in edge.values and name in named.fields and node.selection_set is None:
            serialize = _unwrap(named.fields[name].type)[0].serialize
            parts.append((key, _rel_value(serialize, *edge.values[name])))
        else:
            return None

    def shape(parent: Props, lists: list[list[Any]]) -> Any:
        return [{key: part(parent, r) for key, part in parts} for r in lists[index]]

    return shape


def _plan_node(
    gql_type: Any, selection: SelectionSetNode | None, reads: list[RelationRead], needs: set[str]
) -> Shape | None:
    """How to shape one item of `gql_type` from its properties and related lists (appending the reads it needs, and
    the stored properties it needs to `needs`)."""
    fields = _fields(selection)
    cls = _item_class(gql_type) if isinstance(gql_type, GraphQLObjectType) else None
    if fields is None or cls is None:
        return None
    needs.update(ALWAYS)
    scalars: list[tuple[str, Callable[..., Any]]] = []
    relations: list[tuple[str, Callable[[Props, list[list[Any]]], Any]]] = []
    for key, node in fields:
        name = node.name.value
        if name == "__typename":
            scalars.append((key, _constant(gql_type.name)))
            continue
        gql_field = gql_type.fields.get(name)
        if gql_field is None:
            return None
        edge = EDGES.get((gql_type.name, name))
        if edge is not None:
            other: set[str] = {"id"}  # never an empty projection
            edge_shape = _plan_edges(gql_field, node.selection_set, len(reads), edge, gql_type, (other, needs))
            if edge_shape is None:
                return None
            reads.append(RelationRead(edge.rel, edge.outgoing, _sorted(other), edges=True))
            relations.append((key, edge_shape))
            continue
        related = _relation(gql_type, name)
        if related is None:
            getter = _scalar(cls, gql_field) if node.selection_set is None else None
            if getter is None:
                return None
            scalars.append((key, getter))
            needs.update(_stored_keys(gql_field))
            continue
        rel, outgoing, one = related
        item_needs: set[str] = set()
        shape = _plan_related(gql_field, node.selection_set, len(reads), one, item_needs)
        if shape is None:
            return None
        reads.append(RelationRead(rel, outgoing, _sorted(item_needs)))
        relations.append((key, shape))
    order = [key for key, _ in fields]
    expected = gql_type.name
    kinds = _kinds_of(expected)

    def node_shape(p: Props, lists: list[list[Props]]) -> dict[str, Any]:
        if p["itemKind"] not in kinds:  # a label and a kind that disagree: the field-by-field path says so
            raise NotCompiled(f"{p['id']} is not a {expected}")
        values = {key: get(p) for key, get in scalars}
        for key, shape in relations:
            values[key] = shape(p, lists)
        return {key: values[key] for key in order}

    return node_shape


@dataclass(frozen=True)
class Plan:
    """A compiled root field: what to read and how to shape it."""

    read: PlainRead
    reads: list[RelationRead]
    shape: Callable[..., Any]
    fields: tuple[str, ...]  # the stored properties of the items asked for that the shape reads

    async def answer(self, context: Any, args: Mapping[str, Any], variables: Any) -> Any:
        repo, settings = context.repo, context.settings
        cap = settings.max_list_items
        limit = None if cap is None else cap + 1
        if not self.read.page:
            found = (await repo.by_ids_selected([str(args["id"])], self.reads, list_limit=limit, fields=self.fields))[0]
            if found is None or found[0].get("itemKind") != self.read.kind.value:
                return None
            _check_lengths(found[1], cap)
            return self.shape(found[0], found[1])
        size = page_size(args.get("first", 50), settings.max_page_size)
        flt = args.get("filter")
        props, site, owner = self.read.filters(flt) if self.read.filters and flt is not None else ({}, None, None)
        page = await repo.page_selected(
            self.read.kind,
            self.reads,
            first=size,
            after=decode_cursor(args.get("after")),
            props=props,
            site=site,
            owner=owner,
            list_limit=limit,
            fields=self.fields,
        )
        for _, lists in page.items:
            _check_lengths(lists, cap)
        return self.shape(page)


def _sorted(names: set[str]) -> tuple[str, ...]:
    return tuple(sorted(names))


def _constant(value: str) -> Callable[..., str]:
    return lambda *_: value


def _total(page: Any) -> int:
    return int(page.total)


def _cursor(p: Props, lists: list[list[Props]]) -> str:
    return encode_cursor(p["id"])


def _each(shape: Shape) -> Callable[[Any], list[dict[str, Any]]]:
    return lambda page: [shape(p, lists) for p, lists in page.items]


def _check_lengths(lists: list[list[Props]], cap: int | None) -> None:
    if cap is not None and any(len(found) > cap for found in lists):
        raise NotCompiled("a list is longer than GRAPHSVC_MAX_LIST_ITEMS: the field-by-field path says so")


def _plan_page(
    gql_type: Any, selection: SelectionSetNode | None, reads: list[RelationRead], needs: set[str]
) -> Callable[..., Any] | None:
    """How to shape a connection (totalCount, pageInfo, edges, nodes) from a SelectedPage."""
    fields = _fields(selection)
    if fields is None or not isinstance(gql_type, GraphQLObjectType):
        return None
    parts: list[tuple[str, Callable[[Any], Any]]] = []
    for key, node in fields:
        name = node.name.value
        if name == "__typename":
            parts.append((key, _constant(gql_type.name)))
        elif name == "totalCount":
            parts.append((key, _total))
        elif name == "pageInfo":
            info = _plan_page_info(gql_type.fields[name], node.selection_set)
            if info is None:
                return None
            parts.append((key, info))
        elif name in ("edges", "nodes"):
            item_type = _unwrap(gql_type.fields[name].type)[0]
            if name == "nodes":
                shape = _plan_node(item_type, node.selection_set, reads, needs)
            else:
                shape = _plan_edge(item_type, node.selection_set, reads, needs)
            if shape is None:
                return None
            parts.append((key, _each(shape)))
        else:
            return None
    return lambda page: {key: part(page) for key, part in parts}


def _plan_page_info(gql_field: GraphQLField, selection: SelectionSetNode | None) -> Callable[[Any], Any] | None:
    fields = _fields(selection)
    type_name = _unwrap(gql_field.type)[0].name
    values: dict[str, Callable[[Any], Any]] = {
        "__typename": lambda page: type_name,
        "hasNextPage": lambda page: page.has_next,
        "endCursor": lambda page: encode_cursor(page.items[-1][0]["id"]) if page.items else None,
    }
    if fields is None or any(node.name.value not in values for _, node in fields):
        return None
    return lambda page: {key: values[node.name.value](page) for key, node in fields}


def _plan_edge(
    gql_type: Any, selection: SelectionSetNode | None, reads: list[RelationRead], needs: set[str]
) -> Shape | None:
    fields = _fields(selection)
    if fields is None:
        return None
    parts: list[tuple[str, Callable[..., Any]]] = []
    for key, node in fields:
        name = node.name.value
        if name == "__typename":
            parts.append((key, _constant(gql_type.name)))
        elif name == "cursor":
            parts.append((key, _cursor))
        elif name == "node":
            shape = _plan_node(_unwrap(gql_type.fields[name].type)[0], node.selection_set, reads, needs)
            if shape is None:
                return None
            parts.append((key, shape))
        else:
            return None
    return lambda p, lists: {key: part(p, lists) for key, part in parts}


def plan_root(gql_field: GraphQLField, nodes: list[FieldNode]) -> Plan | None:
    """The compiled plan of a root field asked as `nodes`, or None when the field-by-field path must answer."""
    definition = _definition(gql_field)
    read = (getattr(definition, "metadata", None) or {}).get(PLAIN_READ)
    if not isinstance(read, PlainRead) or len(nodes) != 1 or nodes[0].directives:
        return None
    reads: list[RelationRead] = []
    needs: set[str] = set(ALWAYS)
    named = _unwrap(gql_field.type)[0]
    shape: Callable[..., Any] | None
    if read.page:
        shape = _plan_page(named, nodes[0].selection_set, reads, needs)
    else:
        shape = _plan_node(named, nodes[0].selection_set, reads, needs)
    return None if shape is None else Plan(read, reads, shape, _sorted(needs))
