"""The registry's selected reads (cypher/items/page_selected.cypher): what it fills in comes from the vocabulary and
from property names that are plain identifiers, never from anything else."""

from __future__ import annotations

import pytest

from graphsvc.db.cypher import cypher
from graphsvc.domain.vocabulary import Kind, Rel, RelationRead


def test_only_the_named_properties_are_read_and_the_relations_in_order() -> None:
    reads = [
        RelationRead(Rel.LOCATED_AT, True, ("id", "name")),
        RelationRead(Rel.DEPENDS_ON, False, None, edges=True),
    ]
    text = cypher("items/page_selected", label=Kind.CONFIGURATION_ITEM, relations=reads, fields=("id", "createdAt"))
    assert "n {createdAt: toString(n.createdAt), .`id`}" in text
    located, depended = text.index("[r:LOCATED_AT]->"), text.index("<-[r:DEPENDS_ON]-")
    assert located < depended  # the lists come in the order of the reads
    assert "b {.`id`, .`name`}" in text
    assert (
        "{item: b {.*, createdAt: toString(b.createdAt), updatedAt: toString(b.updatedAt)}, rel: properties(r)}" in text
    )


@pytest.mark.parametrize("name", ["id}) DETACH DELETE n //", "na`me", "", "1abc"])
def test_a_property_name_that_is_not_an_identifier_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="not a property name"):
        cypher("items/lookup_selected", relations=[], fields=("id", name))
    with pytest.raises(ValueError, match="not a property name"):
        cypher("items/lookup_selected", relations=[RelationRead(Rel.OWNED_BY, True, (name,))])
