"""Roles, token shapes, expiry parsing and the role each operation needs (no database)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from graphql import parse
from hypothesis import given
from hypothesis import strategies as st
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from graphsvc.domain.tokens import Principal, Role, hash_token, new_token, parse_expiry, well_formed
from graphsvc.graphql.access import access_of, needs, undeclared
from graphsvc.graphql.permissions import denial, field_role, required_role
from graphsvc.graphql.schema import build_schema
from graphsvc.web.app import is_loopback
from graphsvc.web.middleware import BodyLimit, route_role, token_from

OPERATIONS = Path(__file__).resolve().parents[1] / "contract" / "operations"
SCHEMA = build_schema()._schema
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def need(text: str, operation: str | None = None) -> tuple[Role, list[str]]:
    return required_role(SCHEMA, parse(text), operation)


def test_roles_are_ordered() -> None:
    assert [r.value for r in Role] == ["viewer", "analyst", "editor", "admin"]
    assert Role.admin.allows(Role.viewer) and Role.editor.allows(Role.analyst)
    assert not Role.analyst.allows(Role.editor) and not Role.viewer.allows(Role.analyst)


def test_tokens_are_random_well_formed_and_stored_only_as_a_hash() -> None:
    (id1, t1, h1), (id2, t2, _) = new_token(), new_token()
    assert t1 != t2 and id1 != id2 and well_formed(t1) and len(t1) == 48
    assert h1 == hash_token(t1) and t1 not in h1 and len(h1) == 64
    assert not well_formed("gsvc_short") and not well_formed(t1 + "x") and not well_formed("Bearer " + t1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("90m", NOW + timedelta(minutes=90)), ("12h", NOW + timedelta(hours=12)), ("30d", NOW + timedelta(days=30)),
     ("2w", NOW + timedelta(weeks=2)), ("2027-01-31", datetime(2027, 1, 31, tzinfo=UTC)),
     ("2027-01-31T10:00:00+01:00", datetime(2027, 1, 31, 9, tzinfo=UTC))],
)  # fmt: skip
def test_expiry_is_a_duration_or_a_date(text: str, expected: datetime) -> None:
    assert parse_expiry(text, NOW) == expected


@pytest.mark.parametrize(("text", "says"), [("0d", "no time"), ("2020-01-01", "in the past"), ("soon", "neither")])
def test_a_bad_expiry_says_why(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_expiry(text, NOW)


def test_the_contract_documents_need_the_roles_their_users_have() -> None:
    expected = {
        ("browse.graphql", None): Role.viewer,
        ("impact.graphql", None): Role.analyst,
        ("continuity.graphql", None): Role.analyst,
        ("cost.graphql", None): Role.analyst,
        ("import.graphql", None): Role.editor,
    }
    for (file, op), role in expected.items():
        doc = parse((OPERATIONS / file).read_text())
        ops = [d.name.value for d in doc.definitions if getattr(d, "operation", None) and d.name]  # type: ignore[attr-defined]
        got = {required_role(SCHEMA, doc, name)[0] for name in (ops if op is None else [op])}
        assert max(got, key=lambda r: r.rank) == role, file


def test_an_analysis_is_found_inside_fragments_aliases_and_nested_items() -> None:
    role, fields = need('{ change(id: "C") { ...A } } fragment A on Change { x: assessment { risk { score } } }')
    assert role == Role.analyst and fields == ["Change.assessment"]
    role, fields = need('{ item(id: "R") { ... on Release { impact { totals { down } } } } }')
    assert (role, fields) == (Role.analyst, ["Release.impact"])
    deep = '{ a: change(id: "C") { ...B } } fragment B on Change { ...C } fragment C on Change { nextConflictFreeWindow(durationMinutes: 60) { start } }'  # noqa: E501
    assert need(deep) == (Role.analyst, ["Change.nextConflictFreeWindow"])


def test_only_the_chosen_operation_counts() -> None:
    text = 'query Read { services { totalCount } } mutation Write { deleteItem(id: "X") { __typename } }'
    assert need(text, "Read")[0] == Role.viewer
    assert need(text, "Write") == (Role.editor, ["Mutation.deleteItem"])
    assert need("{ __schema { types { name } } }")[0] == Role.viewer


def test_every_root_field_declares_its_role() -> None:
    assert undeclared(SCHEMA) == []
    declared = {
        f"{root.name}.{name}": access_of(field)
        for root in (SCHEMA.query_type, SCHEMA.mutation_type)
        for name, field in root.fields.items()  # type: ignore[union-attr]
    }
    assert all(a is not None for a in declared.values())
    by_role = {role: {f for f, a in declared.items() if a is not None and a.role is role} for role in Role}
    assert by_role[Role.admin] == {
        "Query.auditLog",
        "Query.apiTokens",
        "Mutation.createApiToken",
        "Mutation.revokeApiToken",
    }
    assert {f for f in by_role[Role.analyst]} >= {"Query.impact", "Query.costAllocation", "Query.continuity"}
    assert all(f.startswith("Query.") for f in by_role[Role.analyst] | by_role[Role.viewer])
    # Every analyst field at the root is an analysis, and only the graph analyses and the estate's history among
    # them may be kept.
    analyst = {f: declared[f] for f in by_role[Role.analyst]}
    assert all(a is not None and a.analysis for a in analyst.values())
    kept = {f for f, a in analyst.items() if a is not None and a.kept}
    assert kept == {"Query.impact", "Query.siteFailure", "Query.estateDiff", "Query.impactDrift"}


def test_a_field_that_declares_no_role_is_found() -> None:
    import strawberry

    @strawberry.type
    class Q:
        @strawberry.field(metadata=needs(Role.viewer))
        def fine(self) -> int:
            return 1

        @strawberry.field
        def forgotten(self) -> int:
            return 2

    assert undeclared(strawberry.Schema(query=Q)._schema) == ["Q.forgotten"]


def test_nested_analyses_need_analyst() -> None:
    for parent, field in [("Change", "assessment"), ("Change", "nextConflictFreeWindow"), ("Release", "impact")]:
        assert field_role(SCHEMA.get_type(parent), field) is Role.analyst  # type: ignore[arg-type]
    assert field_role(SCHEMA.get_type("Service"), "dependsOn") is Role.viewer  # type: ignore[arg-type]


def test_every_mutation_needs_at_least_editor() -> None:
    for name in SCHEMA.mutation_type.fields:  # type: ignore[union-attr]
        assert field_role(SCHEMA.mutation_type, name).allows(Role.editor)  # type: ignore[arg-type]


def test_denial_names_the_fields_the_role_and_the_token() -> None:
    analyst = Principal("tok-1", "n", Role.analyst)
    assert denial(analyst, Role.analyst, ("Query.impact",)) is None
    error = denial(analyst, Role.editor, ("Mutation.a", "Mutation.b"))
    assert error is not None and error.extensions == {"code": "FORBIDDEN", "requiredRole": "editor"}
    assert "Mutation.a, Mutation.b needs the editor role; the token tok-1 has role analyst" in error.message
    assert "no token was given" in denial(None, Role.viewer, ("Query.x",)).message  # type: ignore[union-attr]


def test_routes() -> None:
    assert route_role("GET", "/healthz", b"") is None and route_role("GET", "/static/graphiql/x.js", b"") is None
    assert route_role("GET", "/graphql", b"") is None  # the page itself
    assert route_role("GET", "/graphql", b"query=%7B__typename%7D") == Role.viewer
    assert route_role("GET", "/graphql", b"extensions=%7B%22persistedQuery%22%3A%7B%7D%7D") == Role.viewer  # a hash
    assert route_role("POST", "/graphql", b"") == Role.viewer
    assert route_role("GET", "/reports/costs", b"") == Role.analyst
    assert route_role("GET", "/anything-else", b"") == Role.viewer


def test_the_token_comes_from_the_header_first_then_the_cookie() -> None:
    assert token_from({"authorization": "Bearer abc"}) == "abc"
    assert token_from({"authorization": "Basic abc"}) == ""  # present but not usable: refused, not ignored
    assert token_from({"cookie": "a=1; graphsvc_token=xyz"}) == "xyz"
    assert token_from({}) is None


@given(st.text(max_size=60))
def test_any_header_text_is_handled(text: str) -> None:
    found = token_from({"authorization": text, "cookie": text})
    assert found is None or isinstance(found, str)


def test_loopback() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "::1", "[::1]", "localhost", "127.0.0.2"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "10.0.0.1", "example.com", "::"))


async def test_a_client_that_goes_away_mid_body_is_no_server_error() -> None:
    # wrk stopping, a closed tab: the body never comes. Nothing to answer, and no exception for uvicorn to log.
    read: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await Request(scope, receive).body()
        finally:
            read.append("tried")

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {"type": "http", "method": "POST", "path": "/graphql", "headers": [(b"content-length", b"100")]}
    await BodyLimit(app, max_bytes=1000)(scope, receive, send)
    assert read == ["tried"] and sent == []


def _chunks(sizes: list[int], log: list[str]) -> Receive:
    """A receive that hands out bodies of these sizes, noting each read in `log`."""
    pending = list(sizes)

    async def receive() -> Message:
        if not pending:
            log.append("disconnect")
            return {"type": "http.disconnect"}
        size = pending.pop(0)
        log.append(f"read {size}")
        return {"type": "http.request", "body": b"a" * size, "more_body": bool(pending)}

    return receive


async def _refuse(scope: Scope, sizes: list[int], *, drain_bytes: int | None = None) -> list[str]:
    log: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await Request(scope, receive).body()
        log.append("app answered")

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            log.append(f"status {message['status']}")

    await BodyLimit(app, max_bytes=1000, drain_bytes=drain_bytes)(scope, _chunks(sizes, log), send)
    return log


def _post(*headers: tuple[bytes, bytes]) -> Scope:
    return {"type": "http", "method": "POST", "path": "/graphql", "headers": list(headers)}


async def test_a_body_refused_by_its_length_is_read_before_the_413_so_the_client_gets_it() -> None:
    # Closing with the body unread makes the kernel reset the connection, and the client can lose the 413.
    log = await _refuse(_post((b"content-length", b"3000")), [1500, 1500])
    assert log == ["read 1500", "read 1500", "status 413"]


async def test_the_drain_is_bounded() -> None:
    log = await _refuse(_post((b"content-length", b"900000")), [1500] * 600, drain_bytes=4000)
    assert log == ["read 1500", "read 1500", "read 1500", "status 413"]


async def test_a_client_waiting_for_100_continue_has_sent_nothing_and_is_not_read() -> None:
    log = await _refuse(_post((b"content-length", b"3000"), (b"expect", b"100-continue")), [1500, 1500])
    assert log == ["status 413"]


async def test_a_streamed_body_over_the_limit_is_drained_then_refused() -> None:
    log = await _refuse(_post((b"transfer-encoding", b"chunked")), [800, 800, 800, 800])
    assert log == ["read 800", "read 800", "read 800", "read 800", "status 413"]
    assert "app answered" not in log


async def test_a_body_within_the_limit_reaches_the_app() -> None:
    log = await _refuse(_post((b"content-length", b"900")), [900])
    assert log == ["read 900", "app answered"]


async def test_a_client_that_stops_sending_is_not_waited_for() -> None:
    # A Content-Length that lies: the rest never comes. The 413 goes out after the idle wait, not the full one.
    sent: list[int] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raise AssertionError("the app must not run")

    async def silent() -> Message:
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            sent.append(message["status"])

    limit = BodyLimit(app, max_bytes=1000, drain_idle=0.05)
    await asyncio.wait_for(limit(_post((b"content-length", b"999999")), silent, send), 5)
    assert sent == [413]


async def test_a_streamed_body_whose_last_part_crosses_the_limit_is_refused_at_once() -> None:
    # Nothing is left to drain: the 413 must not wait for a receive that never comes.
    log = await _refuse(_post((b"transfer-encoding", b"chunked")), [800, 800], drain_bytes=None)
    assert log == ["read 800", "read 800", "status 413"]
