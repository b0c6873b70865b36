"""The traces reader on tests/fixtures/traces (Jaeger's dependencies answer and the service-graph connector's
Prometheus text, for the demo CMDB's applications) and on hostile input: names map through the mapping file, then
ids, names and `service.name` attributes; unknown names are unresolved, not errors; bad input fails naming the file
and the line or entry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphsvc.discovery.documents import MAX_FILE_BYTES, DiscoveryInputError
from graphsvc.discovery.model import SeenDependency, Unresolved
from graphsvc.discovery.traces import METRIC, parse_servicegraph, read_service_mapping, read_traces
from tests.conftest import REPO

TRACES = REPO / "tests" / "fixtures" / "traces"
MAPPING = read_service_mapping(TRACES / "mapping.toml")
KNOWN = {
    "ci-app-search": "CI-APP-SEARCH",
    "ci-app-catalog": "CI-APP-CATALOG",
    "tax calculation": "CI-APP-TAX",
    "product catalogue api": "CI-APP-CATALOG",
    "cart-svc": "CI-APP-CART",  # a service.name attribute
    **{v.lower(): v for v in MAPPING.values()},
    "ci-app-tax": "CI-APP-TAX",
}


def edges(deps: list[SeenDependency]) -> dict[tuple[str, str], int]:
    return {(d.source, d.target): d.attributes["callCount"] for d in deps}


def test_jaeger_fixture() -> None:
    data = (TRACES / "jaeger-dependencies.json").read_bytes()
    seen = read_traces("jaeger", data, "jaeger", KNOWN, MAPPING, 5, file="deps.json")
    assert seen.source == "traces:jaeger" and seen.items == []
    assert edges(seen.dependencies) == {
        ("CI-APP-STOREFRONT-WEB", "CI-APP-STOREFRONT-BFF"): 120450,
        ("CI-APP-CHECKOUT", "CI-APP-GIFT-CARDS"): 3120,
        ("CI-APP-CHECKOUT", "CI-APP-TAX"): 48211,  # "Tax Calculation": a name
        ("CI-APP-SEARCH", "CI-APP-CATALOG"): 90412,  # ids, in any case
        ("CI-APP-CART", "CI-APP-PRICING"): 8021,
        ("CI-APP-LOYALTY", "CI-APP-NOTIFICATIONS"): 944,
    }
    assert {d.strength for d in seen.dependencies} == {"HARD"}
    assert seen.unresolved == [Unresolved("CI-APP-CHECKOUT", "trace edge checkout -> adyen-sandbox", "adyen-sandbox")]
    reasons = {s.where: s.reason for s in seen.skipped}
    assert reasons == {
        "deps.json, trace edge checkout -> checkout": "a service calling itself (CI-APP-CHECKOUT)",
        "deps.json, trace edge legacy-frontend -> checkout": "3 calls, fewer than 5",
    }


def test_jaeger_bare_list_and_sums() -> None:
    data = json.dumps(
        [
            {"parent": "Cart-Svc", "child": "ci-app-tax", "callCount": 2},
            {"parent": "cart-svc", "child": "CI-APP-TAX", "callCount": 3},
        ]
    ).encode()
    seen = read_traces("prod", data, "jaeger", KNOWN, None, 1)
    assert seen.source == "traces:prod"
    assert edges(seen.dependencies) == {("CI-APP-CART", "CI-APP-TAX"): 5}


def test_servicegraph_fixture() -> None:
    data = (TRACES / "servicegraph.prom").read_bytes()
    seen = read_traces("servicegraph", data, "servicegraph", KNOWN, MAPPING, 5)
    assert edges(seen.dependencies) == {
        ("CI-APP-CHECKOUT", "CI-APP-GIFT-CARDS"): 3120,  # summed over connection_type
        ("CI-APP-CART", "CI-APP-PRICING"): 8021,  # histogram series of the same pair ignored
        ("CI-APP-RECOMMEND", "CI-APP-CATALOG"): 4410,
    }
    assert [u.host for u in seen.unresolved] == ['payments "eu"\\west']  # escapes read
    assert [s.reason for s in seen.skipped] == ["2 calls, fewer than 5"]


def test_mapping_wins_and_a_mapping_to_no_item_is_unresolved() -> None:
    data = b'[{"parent": "ci-app-search", "child": "ci-app-catalog", "callCount": 1}]'
    seen = read_traces("j", data, "jaeger", KNOWN, {"ci-app-search": "CI-GONE"}, 1)
    assert seen.dependencies == []
    assert seen.unresolved == [
        Unresolved("CI-APP-CATALOG", "trace edge ci-app-search -> ci-app-catalog", "ci-app-search")
    ]


@pytest.mark.parametrize(
    ("data", "fmt", "said"),
    [
        (b"not json", "jaeger", "deps.json, line 1: not JSON"),
        (b'{"data": {"parent": "a"}}', "jaeger", "expected a list"),
        (b"[1]", "jaeger", "deps.json, entry 0: expected an object"),
        (b'[{"parent": "", "child": "b", "callCount": 1}]', "jaeger", "entry 0: parent must be a service name"),
        (b'[{"parent": "a", "child": "b"}]', "jaeger", "entry 0: no callCount"),
        (b'[{"parent": "a", "child": "b", "callCount": -1}]', "jaeger", "must not be negative"),
        (b'[{"parent": "a", "child": "b", "callCount": "7"}]', "jaeger", "must be a number"),
        (b'[{"parent": "a", "child": "b", "callCount": true}]', "jaeger", "must be a number"),
        (b'[{"parent": "a", "child": "b", "callCount": NaN}]', "jaeger", "NaN is no JSON number"),
        (b'[{"parent": "a", "child": "b", "callCount": 1e300}]', "jaeger", "beyond 2^53"),
        (b"[" * 100_000, "jaeger", "deps.json"),
        (b"\xff\xfe[]", "jaeger", "not UTF-8"),
        (f'# c\n{METRIC}{{client="a",server="b"}} NaN\n'.encode(), "servicegraph", "line 2: the call count must be"),
        (f'{METRIC}{{client="a",server="b"}} +Inf\n'.encode(), "servicegraph", "finite"),
        (f'{METRIC}{{client="a",server="b"}} -3\n'.encode(), "servicegraph", "negative"),
        (f'{METRIC}{{client="a",server="b"}} many\n'.encode(), "servicegraph", "'many' is no number"),
        (f'{METRIC}{{client="a"}} 3\n'.encode(), "servicegraph", "line 1: no server label"),
        (f'{METRIC}{{client="a,server="b"}} 3\n'.encode(), "servicegraph", "line 1:"),
        (f'{METRIC}{{client="a" server="b"}} 3\n'.encode(), "servicegraph", "expected ',' or '}'"),
        (f'{METRIC}{{client="a",server="b"}}\n'.encode(), "servicegraph", "expected a value"),
    ],
)
def test_hostile_input_is_refused_by_name(data: bytes, fmt: str, said: str) -> None:
    with pytest.raises(DiscoveryInputError, match=None) as raised:
        read_traces("t", data, fmt, KNOWN, None, 1, file="deps.json")  # type: ignore[arg-type]
    assert said in str(raised.value) and "deps.json" in str(raised.value)


def test_a_huge_file_is_refused_before_it_is_read() -> None:
    with pytest.raises(DiscoveryInputError, match="more than the"):
        read_traces("t", b" " * (MAX_FILE_BYTES + 1), "jaeger", KNOWN, None, 1)


def test_mapping_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "m.toml"
    bad.write_text('[service]\n"a" = "B"\n', encoding="utf-8")
    with pytest.raises(DiscoveryInputError, match=r"m\.toml: unknown table"):
        read_service_mapping(bad)
    bad.write_text('[services]\n"a" = "not an id!"\n', encoding="utf-8")
    with pytest.raises(DiscoveryInputError, match="must name an item id"):
        read_service_mapping(bad)


def _escaped(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


names = st.text(st.characters(exclude_categories=["Cs"]), min_size=1).filter(lambda s: s.strip() == s)


@given(client=names, server=names, count=st.integers(0, 2**53), extra=names)
def test_label_escaping_round_trips(client: str, server: str, count: int, extra: str) -> None:
    line = f'{METRIC}{{connection_type="{_escaped(extra)}",server="{_escaped(server)}",client="{_escaped(client)}"}}'
    assert parse_servicegraph("g.prom", f"{line} {count}\n") == {(client, server): count}
