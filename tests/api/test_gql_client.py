"""The API as a generic GraphQL client sees it: gql over HTTP fetches the schema by introspection, validates the
contract's documents against it on the client and runs them; and a client generated from the committed
schema.graphql (graphql-core's build_schema: the codegen path) validates every contract document."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gql import Client, GraphQLRequest
from gql.transport.httpx import HTTPXTransport
from graphql import GraphQLSchema, build_schema, find_breaking_changes, parse, validate

from graphsvc.db.connection import Connection
from graphsvc.settings import Settings
from graphsvc.web.app import create_app
from tests.api.conftest import OPERATIONS, bearer
from tests.e2e.conftest import serve_asgi

REPO = Path(__file__).resolve().parents[2]
# The contract as shared with the product's owner, where it is beside the repository; else the repository's copy.
SHARED = next((p for p in (REPO.parent / "shared" / "contract" / "operations",) if p.is_dir()), OPERATIONS)
DOCUMENTS = sorted({p.name: p for p in [*OPERATIONS.glob("*.graphql"), *SHARED.glob("*.graphql")]}.items())
NOT_SERVED_YET: dict[str, str] = {}  # a contract document with a field not served yet: its name and why


@pytest.fixture(scope="module")
def session(migrated: Connection, sync_driver: Any, demo_document: Any) -> Iterator[Any]:
    """gql's synchronous session over HTTP, with the schema fetched from the server (introspection on), over the demo
    CMDB imported through it."""
    from tests.conftest import make_token, wipe

    wipe(sync_driver, migrated.database)
    token = make_token(sync_driver, migrated.database, "admin")
    app = create_app(Settings(introspection=True), connection=migrated)
    with serve_asgi(app) as url:
        transport = HTTPXTransport(url=f"{url}/graphql", headers=bearer(token), timeout=120)
        client = Client(transport=transport, fetch_schema_from_transport=True)
        with client as session:
            imported = session.execute(contract("import.graphql", "ImportCmdb", {"document": demo_document}))
            assert imported["importCmdb"]["created"] > 100, imported
            yield session


def contract(file: str, name: str, variables: dict[str, Any] | None = None) -> GraphQLRequest:
    return GraphQLRequest((OPERATIONS / file).read_text(), operation_name=name, variable_values=variables)


def test_the_fetched_schema_is_the_committed_one(session: Any) -> None:
    committed = build_schema((REPO / "schema.graphql").read_text())
    fetched: GraphQLSchema = session.client.schema
    # the same types and fields either way (gql's introspection query does not ask for @oneOf, so not compared as text)
    assert find_breaking_changes(committed, fetched) == [] and find_breaking_changes(fetched, committed) == []
    assert fetched.subscription_type is not None and set(fetched.subscription_type.fields) == {
        "estateWritten",
        "incidentEvents",
        "changeEvents",
        "serviceStatusChanged",
    }


@pytest.mark.parametrize(
    ("file", "name", "variables", "field"),
    [
        ("browse.graphql", "BrowseConfigurationItems", {"type": "DATABASE"}, "configurationItems"),
        ("browse.graphql", "ServiceDetail", {"id": "SVC-ACCOUNTS"}, "service"),
        ("impact.graphql", "Impact", {"origin": ["CI-APP-ACCOUNTS"]}, "impact"),
        ("cost.graphql", "CostAllocation", None, "costAllocation"),
        ("health.graphql", "CmdbHealth", None, "cmdbHealth"),
    ],
)
def test_contract_documents_validate_on_the_client_and_run(
    session: Any, file: str, name: str, variables: dict[str, Any] | None, field: str
) -> None:
    request = contract(file, name, variables)
    session.client.validate(request)  # against the schema the server gave, before anything is sent
    result = session.execute(request)
    assert result[field], result


def test_the_client_refuses_a_document_the_schema_does_not_have(session: Any) -> None:
    with pytest.raises(Exception, match="Cannot query field 'noSuchField' on type 'Query'"):
        session.execute(GraphQLRequest("query { noSuchField }"))


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(
            p, id=n, marks=[pytest.mark.xfail(reason=NOT_SERVED_YET[n], strict=True)] if n in NOT_SERVED_YET else []
        )
        for n, p in DOCUMENTS
    ],
)
def test_every_contract_document_validates_against_the_committed_schema(path: Path) -> None:
    schema = build_schema((REPO / "schema.graphql").read_text())
    errors = validate(schema, parse(path.read_text()))
    assert not errors, [e.message for e in errors]
