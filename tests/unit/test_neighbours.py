"""domain/neighbours.py, the order and counts the database and an estate in memory both answer `neighbours` with:
services first, then criticality ascending (none last), then id; counts largest first, then kind, then CI type; and
whatever the cap, the first few are the head of the whole list and the counts are over all."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from graphsvc.domain.facts import Props
from graphsvc.domain.neighbours import TypeCount, neighbourhood_of


def _ci(item_id: str, ci_type: str, criticality: int | None = None) -> Props:
    return {"id": item_id, "itemKind": "CONFIGURATION_ITEM", "type": ci_type, "criticality": criticality}


def test_services_first_then_the_most_critical_then_id_none_last() -> None:
    ends = [
        (_ci("C", "SERVER"), {}),
        (_ci("A", "SERVER", 3), {}),
        ({"id": "S2", "itemKind": "SERVICE", "criticality": 2}, {}),
        (_ci("B", "DATABASE", 1), {}),
        ({"id": "G", "itemKind": "REDUNDANCY_GROUP"}, {}),
        ({"id": "S1", "itemKind": "SERVICE", "criticality": 4}, {}),
        (_ci("D", "SERVER", 1), {"kind": "RUNS_ON"}),
    ]
    found = neighbourhood_of(ends, 5)
    assert [n.item["id"] for n in found.first] == ["S2", "S1", "B", "D", "A"]
    assert found.first[3].rel == {"kind": "RUNS_ON"}
    assert [n.item["id"] for n in neighbourhood_of(ends, 10).first][-2:] == ["C", "G"]  # no criticality: by id
    assert found.total == 7
    assert found.by_type == [
        TypeCount("CONFIGURATION_ITEM", "SERVER", 3),
        TypeCount("SERVICE", None, 2),
        TypeCount("CONFIGURATION_ITEM", "DATABASE", 1),
        TypeCount("REDUNDANCY_GROUP", None, 1),
    ]


KINDS = st.sampled_from(["SERVICE", "CONFIGURATION_ITEM", "REDUNDANCY_GROUP"])
ITEMS = st.builds(
    lambda i, kind, ci_type, criticality: {
        "id": f"X-{i}",
        "itemKind": kind,
        "type": ci_type if kind == "CONFIGURATION_ITEM" else None,
        "criticality": criticality,
    },
    st.integers(0, 10**6),
    KINDS,
    st.sampled_from(["APPLICATION", "SERVER", "CONTAINER"]),
    st.none() | st.integers(1, 4),
)


@given(st.lists(ITEMS, unique_by=lambda p: p["id"], max_size=40), st.integers(0, 50))
def test_the_cap_only_cuts_the_list(items: list[Props], first: int) -> None:
    ends = [(item, {}) for item in items]
    capped, whole = neighbourhood_of(ends, first), neighbourhood_of(ends, len(items))
    assert capped.first == whole.first[:first]
    assert capped.total == whole.total == len(items) == sum(c.count for c in capped.by_type)
    assert capped.by_type == whole.by_type
    assert all(c.ci_type is None for c in capped.by_type if c.item_kind != "CONFIGURATION_ITEM")
