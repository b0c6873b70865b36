"""db/params.Batch and db/instrument.batched: every statement's list parameters reach the driver as Batches, which the
driver's debug line (made even with debug logging off) writes as their length rather than their rows. The statements
themselves run in every database test."""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from graphsvc.db.instrument import _observed, batched
from graphsvc.db.params import Batch


def test_a_batch_is_its_list_and_reads_as_its_length() -> None:
    rows = Batch({"id": f"CI-{n}", "name": "x" * 100} for n in range(5000))
    assert rows == [{"id": f"CI-{n}", "name": "x" * 100} for n in range(5000)]
    assert isinstance(rows, list)
    assert repr({"rows": rows}) == "{'rows': <Batch of 5000>}"


_VALUE = st.lists(st.integers()) | st.integers() | st.text() | st.none() | st.tuples(st.integers())


@given(st.dictionaries(st.text(), _VALUE))
def test_batched_keeps_every_value_and_makes_each_list_a_batch(parameters: dict[str, Any]) -> None:
    made = batched(parameters)
    assert made == parameters
    for key, value in made.items():
        assert isinstance(value, Batch) == isinstance(parameters[key], list)


def test_the_installed_run_passes_lists_as_batches_however_they_are_given() -> None:
    seen: list[tuple[Any, ...]] = []

    async def run(self: Any, query: str, *args: Any, **kwargs: Any) -> None:
        seen.append((args, kwargs))

    observed = _observed(run)
    rows = [{"id": "CI-1"}] * 3
    asyncio.run(observed(None, "RETURN 1", {"rows": rows}, ids=["a", "b"]))
    asyncio.run(observed(None, "RETURN 1", parameters={"rows": rows}))
    (args, kwargs), (_, named) = seen
    assert type(args[0]["rows"]) is Batch and args[0]["rows"] == rows
    assert type(kwargs["ids"]) is Batch and kwargs["ids"] == ["a", "b"]
    assert type(named["parameters"]["rows"]) is Batch
