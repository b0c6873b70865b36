"""Every error code of docs/api.md ("Errors and codes") produced by a real request to the real app (uvicorn, auth on,
the test Neo4j), with the status and body it comes with under each media type: `application/json` (200 for a GraphQL
answer, errors or not) and `application/graphql-response+json` (4xx and no `data` when nothing ran). A request
refused before GraphQL runs is a GraphQL error body, never text/plain."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from graphsvc.db.connection import Connection
from graphsvc.settings import Settings
from graphsvc.web.app import create_app
from tests.api.attack_corpus import nested
from tests.conftest import make_token, wipe
from tests.e2e.conftest import serve_asgi

GQL = "application/graphql-response+json"
DOC = {"format": "graphsvc-cmdb/1", "configurationItems": [{"id": "CI-1", "name": "db", "type": "DATABASE"}]}


class Client:
    def __init__(self, url: str, tokens: dict[str, str]) -> None:
        self.url = url
        self.tokens = tokens

    def headers(self, role: str | None, accept: str | None, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        if accept is not None:
            headers["Accept"] = accept
        return {**headers, **(extra or {})}

    def post(
        self,
        body: Any = None,
        *,
        role: str | None = "viewer",
        accept: str | None = None,
        content: bytes | None = None,
        content_type: str = "application/json",
    ) -> httpx.Response:
        headers = self.headers(role, accept, {"Content-Type": content_type})
        if content is None:
            return httpx.post(f"{self.url}/graphql", json=body, headers=headers, timeout=60)
        return httpx.post(f"{self.url}/graphql", content=content, headers=headers, timeout=60)

    def get(self, params: dict[str, str], *, role: str | None = "viewer", accept: str | None = None) -> httpx.Response:
        return httpx.get(f"{self.url}/graphql", params=params, headers=self.headers(role, accept), timeout=60)


@pytest.fixture(scope="module")
def app(migrated: Connection, sync_driver: Any) -> Iterator[Client]:
    wipe(sync_driver, migrated.database)
    tokens = {role: make_token(sync_driver, migrated.database, role) for role in ("viewer", "analyst", "editor")}
    with serve_asgi(create_app(Settings(), connection=migrated)) as url:
        client = Client(url, tokens)
        done = client.post(
            {"query": "mutation($d: JSON!) { importCmdb(document: $d) { created } }", "variables": {"d": DOC}},
            role="editor",
        )
        assert done.json() == {"data": {"importCmdb": {"created": 1}}}
        yield client


def only_error(response: httpx.Response) -> dict[str, Any]:
    (error,) = response.json()["errors"]
    return dict(error)


def refused_as(response: httpx.Response, status: int, code: str, media: str = "application/json") -> dict[str, Any]:
    """A GraphQL error body with no data, `status`, `code`, in `media` (never text/plain)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == media, response.headers
    body = response.json()
    assert "data" not in body or body["data"] is None, body
    error = only_error(response)
    assert error["extensions"]["code"] == code, error
    return error


def answered_200_without_data(response: httpx.Response, code: str) -> dict[str, Any]:
    """Today's application/json answer of a request GraphQL refused before execution: 200, data null, the code."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json()["data"] is None
    error = only_error(response)
    assert error["extensions"]["code"] == code, error
    return error


def test_a_syntax_error_is_graphql_parse_failed(app: Client) -> None:
    error = answered_200_without_data(app.post({"query": "{ services("}), "GRAPHQL_PARSE_FAILED")
    assert error["locations"] == [{"line": 1, "column": 12}]
    as_spec = app.post({"query": "{ services("}, accept=GQL)
    refused_as(as_spec, 400, "GRAPHQL_PARSE_FAILED", GQL)
    assert "data" not in as_spec.json()


def test_a_document_that_does_not_fit_the_schema_is_graphql_validation_failed(app: Client) -> None:
    error = answered_200_without_data(app.post({"query": "{ servicez { totalCount } }"}), "GRAPHQL_VALIDATION_FAILED")
    assert "servicez" in error["message"]
    refused_as(app.post({"query": "{ servicez { totalCount } }"}, accept=GQL), 400, "GRAPHQL_VALIDATION_FAILED", GQL)
    # introspection is off by default: asking for it is a validation failure too
    introspection = app.post({"query": "{ __schema { queryType { name } } }"})
    assert introspection.status_code == 200 and introspection.json()["data"] is None
    assert {e["extensions"]["code"] for e in introspection.json()["errors"]} == {"GRAPHQL_VALIDATION_FAILED"}


def test_bad_values_are_bad_user_input_whether_a_variable_a_literal_or_out_of_range(app: Client) -> None:
    query = "query($n: Int!) { services(first: $n) { totalCount } }"
    coercion = answered_200_without_data(app.post({"query": query, "variables": {"n": "ten"}}), "BAD_USER_INPUT")
    assert "$n" in coercion["message"]
    refused_as(app.post({"query": query, "variables": {"n": "ten"}}, accept=GQL), 400, "BAD_USER_INPUT", GQL)
    literal = answered_200_without_data(
        app.post({"query": '{ services(first: "ten") { totalCount } }'}), "BAD_USER_INPUT"
    )
    assert "ten" in literal["message"]
    # null sent for a variable with a default, where the argument may not be null: refused when the field runs
    nulled = app.post({"query": "query($n: Int = 5) { services(first: $n) { totalCount } }", "variables": {"n": None}})
    assert nulled.status_code == 200, nulled.text
    error = only_error(nulled)
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "first" in error["message"], error
    # the same for a directive's argument, refused before any field runs
    skipped = app.post(
        {
            "query": "query($v: Boolean = true) { services(first: 1) @include(if: $v) { totalCount } }",
            "variables": {"v": None},
        }
    )
    assert skipped.status_code == 200, skipped.text
    assert {e["extensions"]["code"] for e in skipped.json()["errors"]} == {"BAD_USER_INPUT"}, skipped.text
    # out of range: the resolver refuses it, so the operation ran and has data (null) under either media type
    for accept in (None, GQL):
        ran = app.post({"query": "{ services(first: -1) { totalCount } }"}, accept=accept)
        assert ran.status_code == 200 and "data" in ran.json(), ran.text
        error = only_error(ran)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "first"} and error["path"] == ["services"]


def test_documents_over_the_limits_are_query_too_complex_or_too_costly(app: Client) -> None:
    too_deep = answered_200_without_data(app.post({"query": nested(11)}), "QUERY_TOO_COMPLEX")
    assert "exceeds maximum operation depth of 12" in too_deep["message"]
    aliases = "{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }"
    assert "aliases" in answered_200_without_data(app.post({"query": aliases}), "QUERY_TOO_COMPLEX")["message"]
    tokens = "{ " + "__typename " * 2001 + "}"
    assert "tokens" in answered_200_without_data(app.post({"query": tokens}), "QUERY_TOO_COMPLEX")["message"]
    refused_as(app.post({"query": nested(11)}, accept=GQL), 400, "QUERY_TOO_COMPLEX", GQL)
    costly = answered_200_without_data(app.post({"query": nested(10)}), "QUERY_TOO_COSTLY")
    assert costly["extensions"]["cost"] > costly["extensions"]["budget"]
    refused_as(app.post({"query": nested(10)}, accept=GQL), 400, "QUERY_TOO_COSTLY", GQL)


def test_an_operation_name_that_names_nothing_is_operation_not_found(app: Client) -> None:
    named = {"query": "query A { __typename } query B { __typename }", "operationName": "C"}
    error = refused_as(app.post(named), 400, "OPERATION_NOT_FOUND")
    assert error["message"] == "the query has no operation named 'C' (operationName); it has 'A', 'B'"
    # several operations and none named: the spec's request error (strawberry alone would run the first)
    unnamed = refused_as(app.post({"query": named["query"]}), 400, "OPERATION_NOT_FOUND")
    assert unnamed["message"] == "the query has 2 operations ('A', 'B'): name the one to run in operationName"
    anonymous = refused_as(app.post({"query": "{ __typename } query B { __typename }"}), 400, "OPERATION_NOT_FOUND")
    assert (
        anonymous["message"]
        == "the query has 2 operations (an anonymous one, 'B'): name the one to run in operationName"
    )
    only_fragments = refused_as(app.post({"query": "fragment F on Query { __typename }"}), 400, "OPERATION_NOT_FOUND")
    assert "no operation" in only_fragments["message"]
    refused_as(app.post(named, accept=GQL), 400, "OPERATION_NOT_FOUND", GQL)
    assert app.post({**named, "operationName": "B"}).json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    ("label", "body", "named"),
    [
        ("not JSON", b'{"query": "{ __typename }"', "the request body"),
        ("a batch", b'[{"query": "{ __typename }"}, {"query": "{ __typename }"}]', "batched operations"),
        ("not an object", b'"{ __typename }"', "one JSON object"),
        ("no query", b'{"variables": {}}', "no query"),
        ("a query that is not a string", b'{"query": 1}', "query must be a string"),
        ("an operationName that is an object", b'{"query": "{ __typename }", "operationName": {}}', "operationName"),
        ("variables that are a string", b'{"query": "{ __typename }", "variables": "{}"}', "variables must be"),
        ("extensions that are an array", b'{"query": "{ __typename }", "extensions": []}', "extensions must be"),
        ("NaN", b'{"query": "{ __typename }", "variables": {"x": NaN}}', "NaN is not a JSON number"),
    ],
)
def test_a_malformed_body_is_bad_request_as_a_graphql_error_body(
    app: Client, label: str, body: bytes, named: str
) -> None:
    error = refused_as(app.post(content=body), 400, "BAD_REQUEST")
    assert named in error["message"], (label, error)
    refused_as(app.post(content=body, accept=GQL), 400, "BAD_REQUEST", GQL)


def test_a_get_with_variables_that_are_not_json_is_bad_request(app: Client) -> None:
    query = "query($n: Int) { services(first: $n) { totalCount } }"
    refused_as(app.get({"query": query, "variables": "{n: 1}"}), 400, "BAD_REQUEST")
    refused_as(app.get({"query": query, "variables": "[1]"}), 400, "BAD_REQUEST")
    assert app.get({"query": query, "variables": '{"n": 1}'}).json() == {"data": {"services": {"totalCount": 0}}}


def test_a_mutation_over_get_is_405_with_allow_post(app: Client) -> None:
    mutation = 'mutation { deleteItem(id: "CI-1") { __typename } }'
    for accept in (None, GQL):
        refused = app.get({"query": mutation}, role="editor", accept=accept)
        error = refused_as(refused, 405, "METHOD_NOT_ALLOWED", GQL if accept else "application/json")
        assert refused.headers["allow"] == "POST" and "POST" in error["message"]
    assert app.get({"query": '{ item(id: "CI-1") { id } }'}).json() == {"data": {"item": {"id": "CI-1"}}}


def test_a_method_other_than_get_and_post_is_405_as_a_graphql_error_body(app: Client) -> None:
    refused = httpx.put(
        f"{app.url}/graphql", json={"query": "{ __typename }"}, headers=app.headers("viewer", None), timeout=60
    )
    refused_as(refused, 405, "METHOD_NOT_ALLOWED")
    assert refused.headers["allow"] == "GET, POST"


def test_a_body_that_is_not_json_is_unsupported_media_type(app: Client) -> None:
    for content_type in ("application/graphql", "text/plain", "application/x-www-form-urlencoded"):
        refused = app.post(content=b"{ __typename }", content_type=content_type)
        assert content_type in refused_as(refused, 415, "UNSUPPORTED_MEDIA_TYPE")["message"]
        refused_as(app.post(content=b"{}", content_type=content_type, accept=GQL), 415, "UNSUPPORTED_MEDIA_TYPE", GQL)


def test_an_unknown_id_is_not_found_in_a_field_error(app: Client) -> None:
    answer = app.post({"query": '{ impact(origin: ["CI-404"]) { origin } }'}, role="analyst", accept=GQL)
    assert answer.status_code == 200 and answer.json()["data"] == {"impact": None}  # the operation ran: data
    error = only_error(answer)
    assert error["extensions"]["code"] == "NOT_FOUND" and error["path"] == ["impact"]
    assert "CI-404" in error["message"]


def test_a_field_the_role_may_not_use_is_forbidden(app: Client) -> None:
    query = {"query": '{ impact(origin: ["CI-1"]) { origin } }'}
    error = answered_200_without_data(app.post(query), "FORBIDDEN")
    assert error["extensions"]["requiredRole"] == "analyst"
    refused_as(app.post(query, accept=GQL), 403, "FORBIDDEN", GQL)


def test_no_token_is_unauthenticated(app: Client) -> None:
    refused = app.post({"query": "{ __typename }"}, role=None)
    refused_as(refused, 401, "UNAUTHENTICATED")
    assert refused.headers["www-authenticate"].startswith("Bearer")
    # the checks in front of the API answer in the negotiated media type too
    as_spec = app.post({"query": "{ __typename }"}, role=None, accept=GQL)
    refused_as(as_spec, 401, "UNAUTHENTICATED", GQL)
    assert "data" not in as_spec.json()


def test_an_unexpected_failure_is_masked_as_internal_server_error(app: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    from graphsvc.usecases import impact as impact_usecase

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret detail of a bug")

    monkeypatch.setattr(impact_usecase, "compute_impact", broken)
    for accept in (None, GQL):
        answer = app.post({"query": '{ impact(origin: ["CI-1"]) { origin } }'}, role="analyst", accept=accept)
        assert answer.status_code == 200, answer.text  # the operation ran: a field failed
        error = only_error(answer)
        assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"} and error["path"] == ["impact"]
        assert "secret detail" not in answer.text and error["message"].startswith("Unexpected error")


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (None, "application/json"),
        ("application/json", "application/json"),
        ("*/*", "application/json"),
        ("application/*", "application/json"),
        ("text/html", "application/json"),
        (GQL, GQL),
        (f"{GQL}, application/json", GQL),
        (f"application/json, {GQL}", "application/json"),
        (f"{GQL};q=0.9, application/json", "application/json"),
        (f"application/json;q=0.5, {GQL}", GQL),
        (f"{GQL};q=0, application/json", "application/json"),
    ],
)
def test_the_media_type_is_the_one_the_client_prefers(app: Client, accept: str | None, media: str) -> None:
    answer = app.post({"query": '{ item(id: "CI-1") { id } }'}, accept=accept)
    assert answer.status_code == 200
    assert answer.headers["content-type"].split(";")[0] == media
    if media == GQL:
        assert answer.headers["content-type"] == f"{GQL}; charset=utf-8"
    assert answer.json() == {"data": {"item": {"id": "CI-1"}}}


def test_a_kept_answer_is_sent_in_the_media_type_asked_for(app: Client) -> None:
    browse = {"query": "{ configurationItems(first: 5) { nodes { id } } }"}
    answers = [app.post(browse, accept=accept) for accept in (None, GQL, GQL, None)]
    assert any(a.headers.get("x-graphsvc-cache") == "kept" for a in answers[1:])
    for answer, media in zip(answers, ("application/json", GQL, GQL, "application/json"), strict=True):
        assert answer.headers["content-type"].split(";")[0] == media
        assert answer.json() == {"data": {"configurationItems": {"nodes": [{"id": "CI-1"}]}}}


def test_persisted_query_refusals_carry_their_codes(app: Client) -> None:
    unknown = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}}
    for accept in (None, GQL):
        # 200 under either media type, with data: null: Apollo's APQ clients then send the query with its hash
        answer = app.post(unknown, accept=accept)
        assert answer.status_code == 200 and answer.json()["data"] is None, answer.text
        assert only_error(answer)["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    mismatch = {"query": "{ __typename }", **unknown}
    refused_as(app.post(mismatch), 400, "PERSISTED_QUERY_HASH_MISMATCH")
    refused_as(app.post(mismatch, accept=GQL), 400, "PERSISTED_QUERY_HASH_MISMATCH", GQL)
