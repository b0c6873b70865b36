"""util.json_bytes: the answers' JSON (orjson, json.dumps for what orjson refuses) reads back as the value written."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from graphsvc.util import json_bytes

_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)  # past 64 bits too: json.dumps writes those
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)


@given(_VALUES)
def test_what_is_written_reads_back_as_the_value(value: Any) -> None:
    assert json.loads(json_bytes(value)) == value


def test_it_is_compact_utf8_in_the_order_given() -> None:
    assert json_bytes({"b": [1, 2.5, None], "a": "Zürich 東京"}) == '{"b":[1,2.5,null],"a":"Zürich 東京"}'.encode()


def test_what_orjson_refuses_is_written_by_json_dumps() -> None:
    assert json_bytes({"big": 2**65, 3: "x"}) == b'{"big":36893488147419103232,"3":"x"}'
