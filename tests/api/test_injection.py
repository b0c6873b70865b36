"""Cypher injection: hostile strings in every string and id argument of every query, and in imported documents,
never run as Cypher. The graph's node and relationship counts stay as they were (a query reads nothing into the
graph), a canary survives, and imported hostile text comes back verbatim, as data."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLList, GraphQLNonNull, GraphQLScalarType

from graphsvc.db.connection import Connection
from tests.api.conftest import GraphQLClient, operation
from tests.api.probes import SCHEMA, literal
from tests.conftest import counts

HOSTILE = [
    "x'}) MATCH (n) DETACH DELETE n //",
    'x"}) MATCH (n) DETACH DELETE n //',
    "x` MATCH (n) DETACH DELETE n //",
    "') RETURN 1 UNION MATCH (n) DETACH DELETE n RETURN 1 //",
    "x\\' OR 1=1 CREATE (:Pwned) //",
    "{{label}}",
    "$id",
    "*:* OR name:*",
    "CALL db.clearQueryCaches()",
    "x; DROP CONSTRAINT item_id",
    "\ufeff zero width \u200b and RTL mark \u200f",
    "/* */ MATCH (n) SET n.pwned = true //",
]
# Refused outright in names, titles and labels (docs/security.md, "Numbers and text"): never stored, so never run.
DISGUISED = ["\u0000\u202e\ufeff", "esc\x1b[2J", "rtl\u202eexe.txt"]
CANARY = {
    "format": "graphsvc-cmdb/1",
    "teams": [{"id": "T-CANARY", "name": "canary"}],
    "services": [{"id": "SVC-CANARY", "name": "canary", "tier": "BUSINESS", "criticality": 1, "owner": "T-CANARY"}],
    "configurationItems": [{"id": "CI-CANARY", "name": "canary", "type": "DATABASE"}],
    "dependencies": [{"from": "SVC-CANARY", "to": "CI-CANARY"}],
}


def _is_text(type_: Any) -> bool:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return isinstance(type_, GraphQLScalarType) and type_.name in ("String", "ID")


def hostile_queries() -> list[tuple[str, str, dict[str, Any]]]:
    """(label, document, variables): each Query field with each of its text arguments set to a $hostile variable."""
    out = []
    for name, field in sorted(SCHEMA.query_type.fields.items()):  # type: ignore[union-attr]
        text_args = [a for a, arg in field.args.items() if _is_text(arg.type)]
        for target in text_args:
            arg_type = field.args[target].type
            is_list = isinstance(arg_type.of_type if isinstance(arg_type, GraphQLNonNull) else arg_type, GraphQLList)
            declared = "[String!]!" if is_list else "String!"
            if "ID" in str(arg_type):
                declared = declared.replace("String", "ID")
            args = [f"{target}: $h"]
            args += [
                f"{a}: {literal(arg.type)}"
                for a, arg in field.args.items()
                if a != target and isinstance(arg.type, GraphQLNonNull)
            ]
            named = field.type
            while isinstance(named, GraphQLNonNull | GraphQLList):
                named = named.of_type
            selection = "" if isinstance(named, GraphQLScalarType) else " { __typename }"
            document = f"query($h: {declared}) {{ {name}({', '.join(args)}){selection} }}"
            out.append((f"{name}.{target}", document, {"list": is_list}))
    return out


def test_hostile_strings_in_every_argument_never_run(
    api: GraphQLClient, sync_driver: Any, empty_db: Connection
) -> None:
    api.data(operation("import.graphql", "ImportCmdb"), {"document": CANARY}, "ImportCmdb")
    before = counts(sync_driver, empty_db.database)
    cases = hostile_queries()
    assert len(cases) >= 40, len(cases)
    for label, document, meta in cases:
        for text in HOSTILE:
            value: Any = [text] if meta["list"] else text
            body = api.post(document, {"h": value})
            assert set(body) <= {"data", "errors"}, (label, body)
            for error in body.get("errors", []):
                assert error.get("extensions", {}).get("code") != "INTERNAL_SERVER_ERROR", (label, text, error)
                assert "Unexpected error" not in error["message"], (label, text, error)
    assert counts(sync_driver, empty_db.database) == before
    pwned, _, _ = sync_driver.execute_query(
        "MATCH (n) WHERE n:Pwned OR n.pwned IS NOT NULL RETURN count(n) AS n", database_=empty_db.database
    )
    assert pwned[0]["n"] == 0
    canary = api.data('{ service(id: "SVC-CANARY") { name dependsOn { id } owner { id } } }')["service"]
    assert canary == {"name": "canary", "dependsOn": [{"id": "CI-CANARY"}], "owner": {"id": "T-CANARY"}}


def test_hostile_text_in_an_imported_document_is_kept_as_data(
    api: GraphQLClient, sync_driver: Any, empty_db: Connection
) -> None:
    api.data(operation("import.graphql", "ImportCmdb"), {"document": CANARY}, "ImportCmdb")
    before = counts(sync_driver, empty_db.database)
    doc = {
        "format": "graphsvc-cmdb/1",
        "teams": [{"id": f"T-H{i}", "name": text, "email": text} for i, text in enumerate(HOSTILE)],
        "configurationItems": [
            {"id": f"CI-H{i}", "name": text, "type": "SERVER", "vendor": text, "attributes": {text: text}}
            for i, text in enumerate(HOSTILE)
        ],
    }
    done = api.data(operation("import.graphql", "ImportCmdb"), {"document": doc}, "ImportCmdb")["importCmdb"]
    assert done["created"] == 2 * len(HOSTILE)
    assert counts(sync_driver, empty_db.database) == (before[0] + 2 * len(HOSTILE), before[1])
    for i, text in enumerate(HOSTILE):
        got = api.data("query($id: ID!) { configurationItem(id: $id) { name vendor attributes } }", {"id": f"CI-H{i}"})
        assert got["configurationItem"] == {"name": text, "vendor": text, "attributes": {text: text}}
    disguised = {
        "format": "graphsvc-cmdb/1",
        "teams": [{"id": f"T-D{i}", "name": text} for i, text in enumerate(DISGUISED)],
    }
    refused_names = api.post(operation("import.graphql", "ImportCmdb"), {"document": disguised}, "ImportCmdb")
    assert refused_names["errors"][0]["extensions"]["code"] == "INVALID_DOCUMENT"
    assert len(refused_names["errors"][0]["extensions"]["problems"]) == len(DISGUISED)
    hostile_ids = {"format": "graphsvc-cmdb/1", "sites": [{"id": HOSTILE[0], "name": "x"}]}
    refused = api.post(operation("import.graphql", "ImportCmdb"), {"document": hostile_ids}, "ImportCmdb")
    assert refused.get("errors") or refused["data"]["importCmdb"]  # an odd id is refused or stored, never run
    assert api.data('{ service(id: "SVC-CANARY") { name } }')["service"] == {"name": "canary"}


def test_hostile_strings_in_mutation_arguments_are_stored_as_data_or_refused(
    api: GraphQLClient, sync_driver: Any, empty_db: Connection
) -> None:
    """Every text a mutation takes (ids, names, references) reaches Cypher as a parameter: a create adds exactly
    its one item holding the text verbatim, and a reference to a hostile id is an unknown reference."""
    api.data(operation("import.graphql", "ImportCmdb"), {"document": CANARY}, "ImportCmdb")
    made = 0
    for i, text in enumerate(HOSTILE):
        before = counts(sync_driver, empty_db.database)
        created = api.data(
            """mutation($id: ID!, $t: String!, $tid: ID!, $inc: ID!) {
                 createService(input: {id: $id, name: $t, tier: BUSINESS, criticality: 3}) { __typename }
                 raiseChange(input: {id: $tid, title: $t, type: NORMAL, modifies: ["CI-CANARY"]}) { __typename }
                 openIncident(input: {id: $inc, title: $t, priority: P3, affects: ["SVC-CANARY"]}) { __typename }
               }""",
            {"id": f"SVC-H{i}", "t": text, "tid": text, "inc": f"INC-H{i}"},
        )
        made = sum(1 for r in created.values() if r["__typename"].endswith("Payload"))
        assert created["createService"]["__typename"] == "ServicePayload"
        assert counts(sync_driver, empty_db.database)[0] == before[0] + made
        got = api.data("query($id: ID!) { service(id: $id) { name } }", {"id": f"SVC-H{i}"})["service"]
        assert got == {"name": text}
        refs = api.data(
            """mutation($t: ID!) {
                 addDependency(input: {from: "SVC-CANARY", to: $t}) { __typename }
                 removeDependency(from: $t, to: "CI-CANARY") { __typename }
                 deleteItem(id: $t, version: 999) { __typename }
                 updateService(id: "SVC-CANARY", version: 999, patch: {owner: $t}) { __typename }
               }""",
            {"t": text},
        )
        assert refs["addDependency"]["__typename"] in ("InvalidInput", "UnknownReference"), refs
        assert refs["removeDependency"]["__typename"] == "NotFound"
        assert refs["deleteItem"]["__typename"] in ("NotFound", "StaleVersion")
    canary = api.data('{ service(id: "SVC-CANARY") { name dependsOn { id } owner { id } } }')["service"]
    assert canary == {"name": "canary", "dependsOn": [{"id": "CI-CANARY"}], "owner": {"id": "T-CANARY"}}
    pwned, _, _ = sync_driver.execute_query(
        "MATCH (n) WHERE n:Pwned OR n.pwned IS NOT NULL RETURN count(n) AS n", database_=empty_db.database
    )
    assert pwned[0]["n"] == 0
