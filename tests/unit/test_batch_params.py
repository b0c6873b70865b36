"""db/params.Batch: the rows a statement is sent with are written in the driver's debug line as their count (the driver
makes that line even with debug logging off), and an import sends every batch that way."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from graphsvc.db import importer
from graphsvc.db.params import Batch
from graphsvc.domain.validation import validate_structure
from graphsvc.synth import generate_cmdb


def test_a_batch_is_its_list_and_reads_as_its_length() -> None:
    rows = Batch({"id": f"CI-{n}", "name": "x" * 100} for n in range(5000))
    assert rows == [{"id": f"CI-{n}", "name": "x" * 100} for n in range(5000)]
    assert isinstance(rows, list)
    assert repr({"rows": rows}) == "{'rows': <Batch of 5000>}"


def test_every_step_of_an_import_sends_its_rows_as_a_batch() -> None:
    doc = validate_structure(generate_cmdb(200, 1))
    plan = asyncio.run(importer._plan(None, doc, {}, importer.ImportSummary(), datetime.now(UTC)))  # type: ignore[arg-type]
    names = set()
    for name, _arg, params in plan.steps(50):
        names.add(name)
        for key, value in params.items():
            assert isinstance(value, Batch), (name, key)
        assert len(repr(params)) < 40, name
    assert {"import/create_nodes", "import/create_typed_rels", "import/seal_hashes"} <= names
