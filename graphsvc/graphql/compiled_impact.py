"""The impact analyses compiled: a root `impact(...)` or `siteFailure(...)` whose selection asks only what an
`ImpactResult` holds (its lists, totals and the stored properties of the units, SLAs and teams it exposes) is answered
by a plan made once per document, its JSON built straight from the analysis, with no GraphQL object, resolver call
or completion per field. The analysis is the field-by-field path's own (usecases/impact.py), so the answer is the
same; graphql/compiled.py does the same for plain reads, and says why.

It runs inside execution (schema.CodedExecution), after validation, the limits and authorisation, as any answer.
Fragments and inline fragments on `ImpactResult` (and on each entry's type) are expanded, as the contract's Impact
document uses one. Anything else goes the field-by-field way, which also says what is wrong when something is:
- a directive anywhere below the root (`@include(if: $x)` makes the selection depend on the variables), a response
  key asked twice, a field this module does not know (`item`, `service`, an exposed unit's relations), fragment
  arguments;
- an argument the resolver would refuse (a negative offset: checked before the analysis runs), a stored value
  missing for a non-null field, an exposed item of another kind than its field's type, a database error while the
  exposure is read (field by field, it belongs to the field that reads it).
An origin that is unknown or not dependable is answered with the analysis' own error at the root, where the resolver
raises it (compiled.AtRoot), without computing anything twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLObjectType,
    GraphQLScalarType,
    InlineFragmentNode,
    SelectionSetNode,
    get_argument_values,
)

from graphsvc.analysis.exposure import Exposure
from graphsvc.domain.vocabulary import Kind
from graphsvc.errors import DatabaseError, DatabaseUnavailable, QueryTimeout, RequestError
from graphsvc.graphql import impact as gi
from graphsvc.graphql.compiled import AtRoot, NotCompiled, _constant, _plan_item, _unwrap, built
from graphsvc.usecases.impact import ImpactAnalysis

__all__ = ["ROOTS", "ImpactPlan", "plan_impact"]

# The root fields compiled, with the arguments each has (ImpactPlan.answer reads them).
ROOTS: dict[str, frozenset[str]] = {"impact": frozenset({"origin", "degraded"}), "siteFailure": frozenset({"siteId"})}


@dataclass
class Answering:
    """What one request's parts read: the analysis, its exposure (read once, if a part needs it), the settings."""

    analysis: ImpactAnalysis
    exposure: Exposure | None
    settings: Any


Fragments = Mapping[str, Any]  # name -> graphql-core's FragmentDetails (its `definition`)


def _expanded(selection: SelectionSetNode | None, type_name: str, fragments: Fragments) -> list[FieldNode] | None:
    """The fields of a selection on `type_name` with its fragments expanded; None if it has a directive, a fragment
    on another type or with arguments, or a response key asked twice."""
    if selection is None:
        return None
    found: list[FieldNode] = []
    for node in selection.selections:
        if node.directives:
            return None
        if isinstance(node, FieldNode):
            found.append(node)
            continue
        if isinstance(node, FragmentSpreadNode):
            if getattr(node, "arguments", None):
                return None
            details = fragments.get(node.name.value)
            definition = getattr(details, "definition", None)
            if definition is None or definition.directives or getattr(definition, "variable_definitions", None):
                return None
            condition, inner = definition.type_condition, definition.selection_set
        elif isinstance(node, InlineFragmentNode):
            condition, inner = node.type_condition, node.selection_set
        else:  # pragma: no cover - the three kinds of selection are all there are
            return None
        if condition is not None and condition.name.value != type_name:
            return None
        fields = _expanded(inner, type_name, fragments)
        if fields is None:
            return None
        found.extend(fields)
    keys = [_key(node) for node in found]
    return found if len(set(keys)) == len(keys) else None


def _key(node: FieldNode) -> str:
    return node.alias.value if node.alias else node.name.value


def _leaf(gql_field: GraphQLField) -> Callable[[Any], Any] | None:
    """How a plain attribute of a strawberry object is serialised: its type's `serialize`, over a list's elements for
    a list; None when the field is not a leaf or has a resolver of its own."""
    definition = (gql_field.extensions or {}).get("strawberry-definition")
    if definition is None or definition.base_resolver is not None:
        return None
    named, non_null, is_list = _unwrap(gql_field.type)
    if not isinstance(named, GraphQLScalarType | GraphQLEnumType):
        return None
    name = definition.python_name
    serialize = named.serialize
    if isinstance(named, GraphQLEnumType):
        serialized: dict[Any, Any] = {}  # an enum's members, as serialised: a few, and the same every time

        def one(v: Any) -> Any:
            if type(v) is str:
                return v
            found = serialized.get(v)
            if found is None:
                found = serialized[v] = serialize(v)
            return found

    else:

        def one(v: Any) -> Any:
            return v if type(v) is str else serialize(v)  # an ID or a string is its text (a page holds many)

    def value(entry: Any) -> Any:
        found = getattr(entry, name)
        if found is None:
            if non_null:
                raise NotCompiled(f"{name} is missing")
            return None
        return [one(v) for v in found] if is_list else one(found)

    return value


def _entries(gql_type: Any, selection: SelectionSetNode | None, fragments: Fragments) -> Callable[[Any], Any] | None:
    """How to shape one entry object (ImpactedItem, ImpactedService, ImpactedRequirement) from its attributes."""
    if not isinstance(gql_type, GraphQLObjectType):
        return None
    fields = _expanded(selection, gql_type.name, fragments)
    if fields is None:
        return None
    getters: list[tuple[str, Callable[[Any], Any]]] = []
    for node in fields:
        if node.arguments or node.selection_set is not None:
            return None
        if node.name.value == "__typename":
            getters.append((_key(node), _constant(gql_type.name)))
            continue
        sub = gql_type.fields.get(node.name.value)
        getter = _leaf(sub) if sub is not None else None
        if getter is None:
            return None
        getters.append((_key(node), getter))
    return built(getters)


def _arguments(gql_field: GraphQLField, node: FieldNode, variables: Any) -> dict[str, Any]:
    try:
        return get_argument_values(gql_field, node, variables)
    except Exception as exc:
        raise NotCompiled(f"arguments: {exc}") from exc


@dataclass(frozen=True)
class Listed:
    """A part listing entry objects (`entries` of the request and the field's arguments), each shaped by `entry`."""

    gql_field: GraphQLField
    node: FieldNode
    entries: Callable[[Answering, dict[str, Any]], list[Any]]
    entry: Callable[[Any], Any]

    def arguments(self, variables: Any, settings: Any) -> dict[str, Any]:
        """Its arguments, checked before the analysis runs: one the resolver refuses (a negative offset, a `first`
        over the cap) is answered field by field without computing the impact first."""
        args = _arguments(self.gql_field, self.node, variables)
        if "first" in args:
            gi.check_window(settings, args["first"], args["offset"])
        return args

    def listed(self, a: Answering, args: dict[str, Any]) -> list[Any]:
        entry = self.entry
        return [entry(e) for e in self.entries(a, args)]


# A part of the answer: made from the request's Answering, or a Listed (whose arguments are read and checked first)
Part = Callable[[Answering], Any] | Listed


def _listed(
    entries: Callable[[Answering, dict[str, Any]], list[Any]], takes_arguments: bool = True
) -> Callable[[GraphQLField, FieldNode, Fragments], Part | None]:
    def plan(gql_field: GraphQLField, node: FieldNode, fragments: Fragments) -> Part | None:
        entry = _entries(_unwrap(gql_field.type)[0], node.selection_set, fragments)
        if entry is None or (node.arguments and not takes_arguments):
            return None
        return Listed(gql_field, node, entries, entry)

    return plan


def _impacted(a: Answering, args: dict[str, Any]) -> list[Any]:
    status, kind = args.get("status"), args.get("kind")
    return gi.impacted_entries(
        a.analysis.impact,
        a.settings,
        first=args["first"],
        offset=args["offset"],
        status=None if status is None else gi.ImpactStatus(status),
        kind=None if kind is None else Kind(kind),
    )


def _services(a: Answering, args: dict[str, Any]) -> list[Any]:
    return gi.service_entries(a.analysis.impact, a.settings, first=args["first"], offset=args["offset"])


def _requirements(a: Answering, args: dict[str, Any]) -> list[Any]:
    return gi.requirement_entries(_exposure(a).requirements)


def _exposed(attribute: str) -> Callable[[GraphQLField, FieldNode, Fragments], Part | None]:
    """businessUnits, slas, teams: stored items, shaped from their properties as compiled plain reads shape them."""

    def plan(gql_field: GraphQLField, node: FieldNode, fragments: Fragments) -> Part | None:
        named = _unwrap(gql_field.type)[0]
        if node.arguments or not isinstance(named, GraphQLObjectType):
            return None
        fields = _expanded(node.selection_set, named.name, fragments)
        if fields is None:
            return None
        item = _plan_item(named, SelectionSetNode(selections=tuple(fields)), set())
        if item is None:
            return None
        return lambda a: [item(p) for p in getattr(_exposure(a), attribute)]

    return plan


def _exposure(a: Answering) -> Exposure:
    assert a.exposure is not None, "a part reading the exposure marks the plan as needing it"
    return a.exposure


def _ids(attribute: str) -> Callable[[GraphQLField, FieldNode, Fragments], Part | None]:
    def plan(gql_field: GraphQLField, node: FieldNode, fragments: Fragments) -> Part | None:
        if node.arguments or node.selection_set is not None:
            return None
        return lambda a: [str(i) for i in getattr(a.analysis.impact, attribute)]

    return plan


def _of_impact(count: Callable[[Any], int]) -> Callable[[Answering], int]:
    return lambda a: count(a.analysis.impact)


def _of_exposure(count: Callable[[Any], int]) -> Callable[[Answering], int]:
    return lambda a: count(_exposure(a))


def _totals(gql_field: GraphQLField, node: FieldNode, fragments: Fragments) -> tuple[Part, bool] | None:
    named = _unwrap(gql_field.type)[0]
    fields = _expanded(node.selection_set, named.name, fragments) if not node.arguments else None
    if fields is None:
        return None
    counts: list[tuple[str, Callable[[Answering], Any]]] = []
    needs = False
    for sub in fields:
        name = sub.name.value
        if sub.arguments or sub.selection_set is not None:
            return None
        if name == "__typename":
            counts.append((_key(sub), _constant(named.name)))
        elif name in gi.TOTALS and name in named.fields:
            count, exposed = gi.TOTALS[name]
            counts.append((_key(sub), _of_exposure(count) if exposed else _of_impact(count)))
            needs = needs or exposed
        else:
            return None
    return (lambda a: {key: count(a) for key, count in counts}), needs


# ImpactResult's fields, by name: (how its part is planned, whether it reads the exposure)
_PARTS: dict[str, tuple[Callable[[GraphQLField, FieldNode, Fragments], Part | None], bool]] = {
    "origin": (_ids("origin"), False),
    "degraded": (_ids("degraded_origin"), False),
    "impacted": (_listed(_impacted), False),
    "services": (_listed(_services), False),
    "requirements": (_listed(_requirements, takes_arguments=False), True),
    "businessUnits": (_exposed("business_units"), True),
    "slas": (_exposed("slas"), True),
    "teams": (_exposed("teams"), True),
}


@dataclass(frozen=True)
class ImpactPlan:
    """A compiled `impact` or `siteFailure`: the parts of its answer, in the document's order."""

    root: str
    parts: tuple[tuple[str, Part], ...]
    needs_exposure: bool

    async def answer(self, context: Any, arguments: Mapping[str, Any], variables: Any) -> Any:
        listed = {
            key: part.arguments(variables, context.settings) for key, part in self.parts if isinstance(part, Listed)
        }
        view = context.database_view  # a root field's: no estate above it
        try:
            if self.root == "impact":
                analysis = await gi.impact_analysis(view, arguments["origin"], arguments.get("degraded"))
            else:
                analysis = await gi.site_failure_analysis(view, arguments["siteId"])
        except RequestError as exc:  # an unknown or wrong origin: the resolver's own error, where it would raise it
            raise AtRoot(exc) from exc
        exposure = None
        if self.needs_exposure:
            try:
                exposure = await analysis.exposure()
            except (DatabaseUnavailable, QueryTimeout, DatabaseError) as exc:
                # field by field, this error belongs to the first field that reads the exposure, not to the root
                raise NotCompiled(f"the exposure could not be read: {exc}") from exc
        answering = Answering(analysis, exposure, context.settings)
        return {
            key: part.listed(answering, listed[key]) if isinstance(part, Listed) else part(answering)
            for key, part in self.parts
        }


def plan_impact(gql_field: GraphQLField, nodes: Sequence[FieldNode], fragments: Fragments) -> ImpactPlan | None:
    """The compiled plan of a root `impact` / `siteFailure` asked as `nodes`, or None when the field-by-field path
    must answer."""
    if len(nodes) != 1 or nodes[0].directives:
        return None
    node = nodes[0]
    root = node.name.value
    named = _unwrap(gql_field.type)[0]
    if root not in ROOTS or not isinstance(named, GraphQLObjectType) or named.name != "ImpactResult":
        return None
    if set(gql_field.args) != ROOTS[root]:  # an argument added to the field and not read here: field by field
        return None
    fields = _expanded(node.selection_set, named.name, fragments)
    if fields is None:
        return None
    parts: list[tuple[str, Part]] = []
    needs = False
    for sub in fields:
        name = sub.name.value
        if name == "__typename":
            parts.append((_key(sub), _constant(named.name)))
            continue
        gql_sub = named.fields.get(name)
        if gql_sub is None:
            return None
        if name == "totals":
            totals = _totals(gql_sub, sub, fragments)
            if totals is None:
                return None
            parts.append((_key(sub), totals[0]))
            needs = needs or totals[1]
            continue
        planner = _PARTS.get(name)
        part = planner[0](gql_sub, sub, fragments) if planner is not None else None
        if part is None or planner is None:
            return None
        parts.append((_key(sub), part))
        needs = needs or planner[1]
    return ImpactPlan(root, tuple(parts), needs)
