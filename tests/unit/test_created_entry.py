"""A bulk load's batch of created items as one audit entry (db/audit.py created_entry), and the phrase an item's
history looks it up by: the ids must come back out of the entry exactly, in order, each with its own fields."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from graphsvc.db.audit import _phrase, created_entry, entries
from graphsvc.domain.exchange import ID_PATTERN, is_id

ids = st.lists(st.from_regex(ID_PATTERN, fullmatch=True), unique=True, min_size=1, max_size=30)


@given(ids)
def test_the_ids_come_back_out_of_the_entry_in_order_with_their_own_fields(batch: list[str]) -> None:
    stored = [(item_id, {"id": item_id, "name": f"name of {item_id}", "n": n}) for n, item_id in enumerate(batch)]
    made = created_entry(stored)
    [row] = made.rows
    assert made.ids == batch
    assert row["createdIds"].split(" ") == batch  # what cypher/audit/history.cypher splits
    assert [json.loads(a) for a in row["afters"]] == [fields for _, fields in stored]
    assert (row["kind"], row["itemId"], row["before"], json.loads(row["after"])) == (
        "CREATED",
        "",
        None,
        {"created": len(batch)},
    )
    # each item's fields exactly as a per-item entry would hold them
    per_item = entries([(i, None, fields) for i, fields in stored]).rows
    assert row["afters"] == [r["after"] for r in per_item]


@given(st.from_regex(ID_PATTERN, fullmatch=True))
def test_an_id_is_looked_up_as_one_quoted_phrase(item_id: str) -> None:
    assert _phrase(item_id) == f'"{item_id}"'


def test_an_id_no_item_can_have_is_not_looked_up() -> None:
    for item_id in ("", " ", "a b", 'a"b', "a\\b", "-a", "a\n", "x" * 129, "*", 'a" OR "b'):
        assert _phrase(item_id) is None, item_id


def test_an_id_is_the_whole_text() -> None:
    """`is_id` holds the whole text to the pattern: an alert's label with a line break after an id is not one (it
    was, with `re.match` on the pattern's `$`, in db/alert_writes.py)."""
    assert is_id("CI-1") and is_id("k8s:shop:default:deployment:redis-cart") and is_id("a" * 128)
    assert not is_id("CI-1\n") and not is_id("a" * 129) and not is_id("")
