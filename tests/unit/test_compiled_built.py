"""compiled.built: the dict of (key, getter) pairs written out for up to eight, the same as the comprehension it
replaces, keys repeated or not (a later value of a repeated key wins, in the first one's place)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from graphsvc.graphql.compiled import built

_KEYS = st.sampled_from(["id", "name", "kind", "a", "b", "c", "d", "e", "f"])


def _adding(offset: int) -> Any:
    return lambda v: v + offset


@given(st.lists(st.tuples(_KEYS, st.integers()), max_size=10), st.integers())
def test_built_makes_what_the_comprehension_makes(pairs: list[tuple[str, int]], value: int) -> None:
    getters = [(key, _adding(offset)) for key, offset in pairs]
    made: dict[str, Any] = built(getters)(value)
    assert made == {key: get(value) for key, get in getters}
    assert list(made) == list(dict.fromkeys(key for key, _ in pairs))  # in order
