"""A bulk load's seal records its created items' journal states as it wrote them (db/importer.py `_Plan._seal`). The
node batches keep the items' properties for the first seals; later seals make them again. Either way, each state is
what `created_item` says of the item, made from the document alone."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from graphsvc.db import importer
from graphsvc.domain.estate import state_of
from graphsvc.domain.rows import by_owner, created_item
from graphsvc.domain.validation import document_items, validate_structure
from graphsvc.synth import generate_cmdb


def test_each_seal_state_is_the_created_items_whether_its_props_were_kept_or_not() -> None:
    doc = validate_structure(generate_cmdb(150, 5))
    now = datetime.now(UTC)
    plan: Any = asyncio.run(importer._plan(None, doc, {}, importer.ImportSummary(), now))  # type: ignore[arg-type]
    plan.batch_entries = True  # as a bulk load's
    batch = 2  # props kept for the first _SEALS_AHEAD * 2 created items only
    keep = importer._SEALS_AHEAD * batch
    states = {}
    rows: dict[str, dict[str, Any]] = {}
    checked = False
    for name, arg, params in plan.steps(batch):
        if name == "import/create_nodes":
            rows.update((row["id"], row) for row in params["rows"])
        elif name == "import/create_typed_rels" and not checked:
            # the node rows are all made and no seal yet: the first items' props are kept, as their rows hold them
            assert list(plan.props) == list(rows)[:keep]
            plain = [i for i in plan.props if not rows[i]["times"]]  # (a row with times holds a copy)
            assert plain and all(plan.props[i] is rows[i]["props"] for i in plain)
            checked = True
        elif name == "import/seal_hashes":
            states.update(arg.known)
    deps, cons = by_owner(doc)
    expected = {}
    for kind, _index, item in document_items(doc):
        props, out = created_item(kind, item, deps.get(item.id, []), cons.get(item.id, []), now)
        expected[item.id] = state_of(props, out)
    assert len(expected) > importer._SEALS_AHEAD * batch  # both ways are taken
    assert checked and states == expected
    assert not plan.props  # every kept item's props were taken by its seal
