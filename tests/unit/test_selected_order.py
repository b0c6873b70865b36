"""A selected read's incoming lists come from Neo4j unordered (cypher/items/selected/related_in.cypher) and are put
in id order by db/items.py `_selected`, as `ORDER BY b.id` would: ids ascending, an item without an id last; a
relationship's item for a read of edges; outgoing lists left in the order read (their statement orders them)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from graphsvc.db.items import Related, _selected
from graphsvc.domain.vocabulary import Rel, RelationRead

IDS = st.one_of(st.none(), st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,6}", fullmatch=True))
TEXT_ONLY = ("id", "itemKind", "name")


def _order_by(ids: list[str | None]) -> list[str | None]:
    """Neo4j's ascending order of text ids: by code point (the exchange format's ids are ASCII), nulls last."""
    return sorted((i for i in ids if i is not None), key=lambda i: [ord(c) for c in i]) + [
        None for i in ids if i is None
    ]


@given(st.lists(IDS, max_size=30))
def test_incoming_items_in_id_order(ids: list[str | None]) -> None:
    found: list[Any] = [{"id": i, "itemKind": "ConfigurationItem", "name": f"n{n}"} for n, i in enumerate(ids)]
    [listed] = _selected([found], [RelationRead(Rel.DEPENDS_ON, False, TEXT_ONLY)])
    assert [x["id"] for x in listed] == _order_by(ids)
    assert sorted(map(repr, listed)) == sorted(map(repr, found))  # the same items, only reordered


@given(st.lists(IDS, max_size=30))
def test_incoming_edges_by_their_items_id(ids: list[str | None]) -> None:
    found = [{"item": {"id": i, "itemKind": "BusinessUnit"}, "rel": {"share": n / 10}} for n, i in enumerate(ids)]
    [listed] = _selected([found], [RelationRead(Rel.CONSUMES, False, ("id", "itemKind"), edges=True)])
    assert all(isinstance(r, Related) for r in listed)
    assert [r.item["id"] for r in listed] == _order_by(ids)
    shares = {n / 10: i for n, i in enumerate(ids)}
    assert all(shares[r.rel["share"]] == r.item["id"] for r in listed)  # each relationship stays with its item


def test_an_item_without_id_in_a_full_read_goes_last() -> None:
    found: list[Any] = [{"name": "no id"}, {"id": "B"}, {"id": "A"}]
    [listed] = _selected([found], [RelationRead(Rel.DEPENDS_ON, False, None)])
    assert [x.get("id") for x in listed] == ["A", "B", None]


def test_outgoing_lists_keep_the_order_read() -> None:
    found: list[Any] = [{"id": "C"}, {"id": "A"}, {"id": "B"}]
    [listed] = _selected([found], [RelationRead(Rel.DEPENDS_ON, True, TEXT_ONLY)])
    assert [x["id"] for x in listed] == ["C", "A", "B"]
