"""`Layered` (graphsvc/domain/layered.py) behaves as a copy of its base would, whatever is set and deleted, and never
changes the base (hypothesis)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.domain.layered import Layered

KEYS = st.sampled_from([f"k{i}" for i in range(8)])
OPS = st.lists(st.one_of(st.tuples(st.just("set"), KEYS, st.integers()), st.tuples(st.just("del"), KEYS)), max_size=30)


def observed(m: Any) -> tuple[Any, ...]:
    keys = [f"k{i}" for i in range(9)]
    return (
        list(m.items()),  # order too: as a dict copy would iterate
        len(m),
        [k in m for k in keys],
        [m.get(k) for k in keys],
        [m.get(k, "none") for k in keys],
    )


@settings(max_examples=500)
@given(st.dictionaries(KEYS, st.integers(), max_size=6), OPS)
def test_a_layer_behaves_as_a_copy_and_leaves_its_base_alone(base: dict[str, int], ops: list[Any]) -> None:
    before = dict(base)
    copy, layer = dict(base), Layered(base)
    for op in ops:
        if op[0] == "set":
            copy[op[1]] = layer[op[1]] = op[2]
        else:
            if op[1] in copy:
                del copy[op[1]], layer[op[1]]
            else:
                with pytest.raises(KeyError):
                    del layer[op[1]]
        assert observed(layer) == observed(copy)
    assert base == before
    assert observed(Layered(layer)) == observed(copy)  # a layer over a layer
    assert layer.pop("k0", None) == copy.pop("k0", None) and observed(layer) == observed(copy)
