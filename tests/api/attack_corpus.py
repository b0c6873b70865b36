"""Hostile requests, each of which graphsvc must refuse: cleanly (4xx, or a GraphQL error with no data), never with a
500 or a stack trace. The OWASP GraphQL cheat sheet's attacks, plus HTTP-level abuse. Used by test_attack_corpus.py.

Each case is (name, method, what to send). For POST, `json` is the body (any JSON value) or `content` raw bytes with
`headers`; for GET, `params`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Attack:
    name: str
    method: str = "POST"
    json: Any = None
    content: bytes | None = None
    params: dict[str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    path: str = "/graphql"
    token: bool = True  # send the admin token: even an admin cannot do these
    raw: bytes | None = None  # sent as is over a socket, for what an HTTP client refuses to send


def q(name: str, query: str, **kw: Any) -> Attack:
    return Attack(name, json={"query": query, **kw})


def nested(levels: int) -> str:
    """services > nodes > `levels` x dependsOn: depth levels + 2 (nested(10) is the deepest allowed)."""
    return "{ services { nodes " + "{ dependsOn { ... on Service " * levels + "{ id }" + " } }" * levels + " } }"


def fragment_chain(n: int) -> str:
    parts = ["{ services { nodes { ...F0 } } }"]
    for i in range(n):
        parts.append(f"fragment F{i} on Service {{ dependsOn {{ ... on Service {{ ...F{i + 1} }} }} }}")
    parts.append(f"fragment F{n} on Service {{ id }}")
    return "\n".join(parts)


def laughs(levels: int, width: int) -> str:
    """Fragments that each spread the one below `width` times: width^levels fields once expanded."""
    parts = ["{ ...L0 }"]
    for i in range(levels):
        parts.append(f"fragment L{i} on Query {{ " + " ".join([f"...L{i + 1}"] * width) + " }")
    parts.append(f"fragment L{levels} on Query {{ __typename }}")
    return "\n".join(parts)


CORPUS: list[Attack] = [
    # -- depth
    q("depth-13", nested(11)),
    q("depth-50", nested(50)),
    q("depth-400", nested(400)),
    q("depth-through-fragments", fragment_chain(20)),
    q(
        "depth-through-inline-fragments",
        "{ services { nodes { " + "... on Service { dependsOn { " * 15 + "id" + " } }" * 15 + " } } }",
    ),
    # -- aliases and fragments
    q("alias-flood-typename", "{ " + " ".join(f"a{i}: __typename" for i in range(500)) + " }"),
    q("alias-flood-impact", "{ " + " ".join(f'a{i}: impact(origin: ["CI-1"]) {{ origin }}' for i in range(100)) + " }"),
    q("alias-flood-search", "{ " + " ".join(f's{i}: search(text: "db") {{ id }}' for i in range(50)) + " }"),
    q("fragment-laughs-10x5", laughs(5, 10)),
    q("fragment-laughs-4x12", laughs(12, 4)),
    q("fragment-cycle", "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"),
    q("fragment-self-cycle", "{ ...A } fragment A on Query { __typename ...A }"),
    q(
        "fragment-cycle-deep",
        "{ services { nodes { ...A } } } "
        "fragment A on Service { dependsOn { ... on Service { ...B } } } "
        "fragment B on Service { dependsOn { ... on Service { ...A } } }",
    ),
    q(
        "unused-fragments-flood",
        "{ __typename } " + " ".join(f"fragment U{i} on Query {{ __typename }}" for i in range(300)),
    ),
    q("overlapping-fields", "{ " + " ".join(f'service(id: "S{i}") {{ id }}' for i in range(60)) + " }"),
    # -- tokens and size
    q("token-bomb-typename", "{ " + "__typename " * 5000 + "}"),
    q("token-bomb-list-literal", "{ impact(origin: [" + ", ".join(['"CI-1"'] * 3000) + "]) { origin } }"),
    q("token-bomb-arguments", "{ services(first: 1" + ", first: 1" * 2000 + ") { totalCount } }"),
    q("many-operations", " ".join(f"query Q{i} {{ __typename }}" for i in range(1000)), operationName="Q1"),
    q("long-variable-list", "query(" + ", ".join(f"$v{i}: Int" for i in range(1500)) + ") { __typename }"),
    # -- directives
    q("directive-flood-include", "{ __typename" + " @include(if: true)" * 200 + " }"),
    q("directive-flood-skip", "{ services { totalCount" + " @skip(if: false)" * 100 + " } }"),
    q("directive-unknown-flood", "{ __typename" + " @x" * 300 + " }"),
    q("directive-on-every-field", "{ " + " ".join(f"a{i}: __typename @include(if: true)" for i in range(40)) + " }"),
    # -- introspection and suggestions (production settings: both off)
    q("introspection-schema", "{ __schema { types { name fields { name } } } }"),
    q("introspection-type", '{ __type(name: "Mutation") { fields { name } } }'),
    q("introspection-in-fragment", "{ ...I } fragment I on Query { __schema { queryType { name } } }"),
    q("introspection-aliased", "{ s: __schema { directives { name } } }"),
    q("suggestion-probe", "{ servic { totalCount } }"),
    # -- batching
    Attack("batch-of-2", json=[{"query": "{ __typename }"}, {"query": "{ __typename }"}]),
    Attack("batch-of-1000", json=[{"query": "{ __typename }"}] * 1000),
    Attack("batch-of-impacts", json=[{"query": '{ impact(origin: ["CI-1"]) { origin } }'}] * 200),
    # -- mutations over GET, and other methods
    Attack("get-mutation", method="GET", params={"query": 'mutation { deleteItem(id: "X") { __typename } }'}),
    Attack(
        "get-mutation-by-operation-name",
        method="GET",
        params={
            "query": 'query R { __typename } mutation W { deleteItem(id: "X") { __typename } }',
            "operationName": "W",
        },
    ),
    Attack("get-import", method="GET", params={"query": "mutation { importCmdb(document: {}) { created } }"}),
    Attack("put", method="PUT", json={"query": "{ __typename }"}),
    Attack("delete", method="DELETE"),
    Attack("subscription", json={"query": "subscription { services { totalCount } }"}),
    # -- malformed bodies
    Attack("not-json", content=b"{ query: nope", headers={"Content-Type": "application/json"}),
    Attack("json-string", json="{ __typename }"),
    Attack(
        "json-deeply-nested",
        content=b'{"query": "{ __typename }", "variables": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        headers={"Content-Type": "application/json"},
    ),
    Attack("query-null", json={"query": None}),
    q("operation-name-list", "query A { services(first: 1) { totalCount } }", operationName=["A"]),
    q("operation-name-object", "query A { services(first: 1) { totalCount } }", operationName={"a": "A"}),
    q("huge-cacheable-looking-query", "{ services(first: 1) { totalCount " + "id " * 9000 + "} }"),
    Attack("query-number", json={"query": 42}),
    Attack("variables-string", json={"query": "query($a: Int) { __typename }", "variables": "a=1"}),
    Attack(
        "text-plain-csrf",
        content=b'{"query": "mutation { deleteItem(id: \\"X\\") { __typename } }"}',
        headers={"Content-Type": "text/plain"},
    ),
    Attack(
        "form-csrf",
        content=b"query=mutation+%7B+__typename+%7D",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    ),
    Attack(
        "multipart-upload",
        content=b'--b\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{}\r\n--b--\r\n',
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    ),
    Attack("unknown-operation-name", json={"query": "query A { __typename }", "operationName": "B"}),
    Attack("null-bytes", json={"query": "{ __typ\x00ename }"}),
    q("syntax-garbage", "{ { { ) ) ) ] ]"),
    # -- limits on what a query may cost
    q("page-size-huge", "{ services(first: 1000000) { totalCount } }"),
    q("page-size-negative", "{ services(first: -5) { totalCount } }"),
    q("impact-page-huge", '{ impact(origin: ["CI-1"], first: 100000000) { origin } }'),
    q("bad-cursor", '{ services(after: "../../etc/passwd") { totalCount } }'),
    q("int-overflow", "{ services(first: 99999999999999999999) { totalCount } }"),
    # -- size and headers
    Attack(
        "body-over-limit",
        content=b'{"query": "{ __typename }", "x": "' + b"a" * (17 * 1024 * 1024) + b'"}',
        headers={"Content-Type": "application/json"},
    ),
    Attack(
        "content-length-lie",
        raw=b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 999999999999\r\nConnection: close\r\n\r\n{}",
    ),
    Attack(
        "chunked-garbage",
        raw=b"POST /graphql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n"
        b"Connection: close\r\n\r\nzz\r\n",
    ),
    # -- authentication abuse
    Attack("no-token-mutation", json={"query": 'mutation { deleteItem(id: "X") { __typename } }'}, token=False),
    Attack(
        "token-in-query-string", method="GET", params={"query": "{ __typename }", "access_token": "gsvc_x"}, token=False
    ),
    Attack(
        "huge-bearer", json={"query": "{ __typename }"}, headers={"Authorization": "Bearer " + "A" * 8000}, token=False
    ),
    Attack(
        "sql-ish-bearer", json={"query": "{ __typename }"}, headers={"Authorization": "Bearer ' OR 1=1 --"}, token=False
    ),
    Attack(
        "cookie-forged",
        json={"query": "{ __typename }"},
        headers={"Cookie": "graphsvc_token=gsvc_" + "C" * 43},
        token=False,
    ),
    Attack("reports-without-token", method="GET", path="/reports/costs", token=False),
    # -- parsers fed what they choke on
    Attack("invalid-utf8-body", content=b'{"query": "\xff\xfe"}', headers={"Content-Type": "application/json"}),
    Attack(
        "huge-integer-variable",
        content=b'{"query": "{ __typename }", "variables": {"a": ' + b"9" * 5000 + b"}}",
        headers={"Content-Type": "application/json"},
    ),
    Attack(
        "anonymous-huge-integer-get",
        method="GET",
        params={"variables": '{"a": ' + "9" * 5000 + "}"},
        headers={"Accept": "application/json"},
        token=False,
    ),
    Attack("anonymous-encoded-query-name", method="GET", path="/graphql?%71uery=%7B__typename%7D", token=False),
    Attack(
        "session-deep-json",
        path="/auth/session",
        content=b"[" * 100_000,
        headers={"Content-Type": "application/json"},
        token=False,
    ),
    Attack(
        "session-huge-body",
        path="/auth/session",
        content=b'{"token": "' + b"x" * 10_000 + b'"}',
        headers={"Content-Type": "application/json"},
        token=False,
    ),
    # -- work multiplied by nested lists (hardening: refused before they run, with their cost)
    q(
        "nested-owns-53mb",
        '{ team(id: "T-1") { owns { id ... on ConfigurationItem { owner { owns { id ... on ConfigurationItem '
        "{ owner { owns { id } } } } } } } } }",
    ),
    q("nested-site-items", '{ site(id: "S-1") { items { id site { items { id site { items { id } } } } } } }'),
    q(
        "assessment-aliases",
        "{ "
        + " ".join(
            f"a{i}: changes(first: 50) {{ nodes {{ id assessment {{ risk {{ score }} }} }} }}" for i in range(12)
        )
        + " }",
    ),
    q("schema-aliases", "{ " + " ".join(f"s{i}: __schema {{ types {{ name }} }}" for i in range(29)) + " }"),
    q("search-megabyte", '{ search(text: "' + "a" * 1_000_000 + '") { id } }'),
    # -- numbers and text that would poison the CMDB (hardening)
    Attack(
        "import-infinity",
        content=b'{"query": "mutation($d: JSON!) { importCmdb(document: $d) { created } }", "variables": {"d": '
        b'{"format": "graphsvc-cmdb/1", "dependencies": [{"from": "SVC-1", "to": "CI-1", "weight": Infinity}]}}}',
        headers={"Content-Type": "application/json"},
    ),
    Attack(
        "variables-nan",
        content=b'{"query": "{ __typename }", "variables": {"a": NaN}}',
        headers={"Content-Type": "application/json"},
    ),
    Attack(
        "variables-1e999",
        content=b'{"query": "{ __typename }", "variables": {"a": 1e999}}',
        headers={"Content-Type": "application/json"},
    ),
    q(
        "import-literal-inf",
        'mutation { importCmdb(document: {format: "graphsvc-cmdb/1", configurationItems: '
        '[{id: "CI-9", name: "x", type: "SERVER", attributes: {w: 1e999}}]}) { created } }',
    ),
    q(
        "import-bidi-name",
        "mutation($d: JSON!) { importCmdb(document: $d) { created } }",
        variables={"d": {"format": "graphsvc-cmdb/1", "teams": [{"id": "T-9", "name": "ops\u202etxt.exe"}]}},
    ),
    # -- request shape (hardening)
    Attack(
        "two-authorization-headers",
        raw=b"POST /graphql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer gsvc_a\r\nAuthorization: Bearer gsvc_b\r\n"
        b"Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
    ),
    Attack(
        "foreign-origin-mutation",
        json={"query": 'mutation { deleteItem(id: "CI-1", detach: true) { __typename } }'},
        headers={"Origin": "http://evil.example"},
    ),
    Attack(
        "json-lookalike-type", content=b'{"query": "{ __typename }"}', headers={"Content-Type": "application/jsonp"}
    ),
    # -- paths
    Attack("static-traversal", method="GET", path="/static/../../../etc/passwd"),
    Attack("report-traversal", method="GET", path="/reports/changes/..%2F..%2Fetc%2Fpasswd"),
]
