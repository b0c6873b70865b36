"""Numbers and text that would poison the CMDB are refused at every entry of the API, with the path of the value,
and nothing is written (hardening, point 4). A stored Infinity once made /reports/costs answer 500 for everyone and
`graphsvc export` write a file that is not JSON; these are the doors it came in by."""

from __future__ import annotations

import json
from typing import Any

from neo4j import Driver

from graphsvc.db.connection import Connection
from tests.api.conftest import GraphQLClient
from tests.api.test_mutations import CREATE_CI
from tests.conftest import counts

IMPORT = "mutation($d: JSON!) { importCmdb(document: $d) { created updated } }"
BASE = {
    "format": "graphsvc-cmdb/1",
    "configurationItems": [
        {"id": "CI-1", "name": "db", "type": "DATABASE"},
        {"id": "CI-2", "name": "app", "type": "APPLICATION"},
    ],
}


def raw_post(api: GraphQLClient, body: bytes) -> tuple[int, str]:
    r = api.http.post("/graphql", content=body, headers={"Content-Type": "application/json"})
    return r.status_code, r.text


def import_body(weight_literal: str) -> bytes:
    """An importCmdb request whose dependency weight is written as `weight_literal`, bytes as a client sent them."""
    doc = json.dumps({**BASE, "dependencies": [{"from": "CI-2", "to": "CI-1", "weight": 0}]})
    doc = doc.replace('"weight": 0', f'"weight": {weight_literal}')
    return b'{"query": "' + IMPORT.replace('"', '\\"').encode() + b'", "variables": {"d": ' + doc.encode() + b"}}"


def test_non_finite_and_oversized_numbers_in_a_request_body_are_refused(
    api: GraphQLClient, sync_driver: Driver, empty_db: Connection
) -> None:
    for literal, expected in [
        ("Infinity", "variables.d.dependencies[0].weight: Infinity is not a JSON number"),
        ("NaN", "variables.d.dependencies[0].weight: NaN is not a JSON number"),
        ("-Infinity", "weight: -Infinity is not a JSON number"),
        ("1e999", "weight: 1e999 is too large to be a finite number"),
        ("9" * 5000, "weight: an integer of 5000 digits is out of range"),
    ]:
        status, text = raw_post(api, import_body(literal))
        assert status == 400, (literal, text)
        assert expected in text, (literal, text)
        assert "Traceback" not in text
    assert counts(sync_driver, empty_db.database) == (0, 0)


def test_a_lone_surrogate_in_a_request_body_is_refused(
    api: GraphQLClient, sync_driver: Driver, empty_db: Connection
) -> None:
    doc = {
        **BASE,
        "configurationItems": [{"id": "CI-1", "name": "db", "type": "DATABASE", "attributes": {"n": "\udfff"}}],
    }
    status, text = raw_post(api, json.dumps({"query": IMPORT, "variables": {"d": doc}}).encode())
    assert status == 400, text
    assert (
        "variables.d.configurationItems[0].attributes.n: holds a lone surrogate (\\udfff)"
        in json.loads(text)["errors"][0]["message"]
    )
    status, text = raw_post(
        api,
        json.dumps(
            {"query": CREATE_CI, "variables": {"input": {"id": "CI-9", "name": "\ud800", "type": "SERVER"}}}
        ).encode(),
    )
    assert status == 400, text
    assert "variables.input.name: holds a lone surrogate (\\ud800)" in json.loads(text)["errors"][0]["message"]
    assert counts(sync_driver, empty_db.database) == (0, 0)


def problems_of(result: dict[str, Any]) -> list[str]:
    assert result.get("data") is None, result
    (error,) = result["errors"]
    assert error["extensions"]["code"] == "INVALID_DOCUMENT"
    return [f"{p['path']}: {p['message']}" for p in error["extensions"]["problems"]]


def test_an_imported_document_with_values_other_tools_cannot_read_is_refused_whole(
    api: GraphQLClient, sync_driver: Driver, empty_db: Connection
) -> None:
    # A GraphQL literal reaches the JSON scalar as Python numbers: 1e999 is inf there, 2^60 an int.
    literal = (
        'mutation { importCmdb(document: {format: "graphsvc-cmdb/1", configurationItems: [{id: "CI-1", name: "db", '
        'type: "DATABASE", attributes: {ratio: 1e999, serial: 1152921504606846976}}]}) { created } }'
    )
    assert problems_of(api.post(literal)) == [
        "configurationItems[0].attributes.ratio: Value error, must be a finite number (got inf)",
        "configurationItems[0].attributes.serial: Value error, must be within -2^53 and 2^53 (9007199254740992)",
    ]
    doc = {
        **BASE,
        "configurationItems": [
            {"id": "CI-1", "name": "db\u202egnp.exe", "type": "DATABASE", "attributes": {"serial": 42}},
            {"id": "CI-2", "name": "app", "type": "APPLICATION", "vendor": "acme\x1b[2J"},
        ],
    }
    assert sorted(problems_of(api.post(IMPORT, {"d": doc}))) == [
        "configurationItems[0].name: Value error, must not hold control or bidirectional-override characters "
        "(found U+202E)",
        "configurationItems[1].vendor: Value error, must not hold control or bidirectional-override characters "
        "(found U+001B)",
    ]
    assert counts(sync_driver, empty_db.database) == (0, 0)


def test_mutations_refuse_them_too_and_free_text_loses_its_controls(
    api: GraphQLClient, sync_driver: Driver, empty_db: Connection
) -> None:
    refused = api.data(
        'mutation { createConfigurationItem(input: {id: "CI-9", name: "x", type: SERVER, '
        "attributes: {n: 9007199254740994}}) { __typename ... on InvalidInput { problems { field message } } } }"
    )["createConfigurationItem"]
    assert refused["__typename"] == "InvalidInput"
    assert refused["problems"][0]["field"] == "attributes.n"
    named = api.data(CREATE_CI, {"input": {"id": "CI-9", "name": "a\x00b", "type": "SERVER"}})
    assert named["createConfigurationItem"]["__typename"] == "InvalidInput"
    assert counts(sync_driver, empty_db.database) == (0, 0)
    made = api.data(
        CREATE_CI, {"input": {"id": "CI-9", "name": "x", "type": "SERVER", "attributes": {"note": "ok\x1b[31m\tred"}}}
    )["createConfigurationItem"]
    assert made["configurationItem"]["attributes"] == {"note": "ok[31m\tred"}


def test_a_megabyte_search_is_bad_user_input(api: GraphQLClient) -> None:
    result = api.post("query($t: String!) { search(text: $t) { id } }", {"t": "a" * 1_000_000})
    (error,) = result["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "at most 500 characters (this one has 1,000,000)" in error["message"]
