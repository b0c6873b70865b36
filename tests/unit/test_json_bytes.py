"""util.json_bytes and json_text: the answers' JSON, and the stored JSON text of audit entries and the journal (orjson,
json.dumps for what orjson refuses), read back as the value written; util.without."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphsvc.domain.estate import ItemState, dump_states, load_states
from graphsvc.domain.stored_text import json_text, without
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


def _iso(value: Any) -> Any:
    if isinstance(value, date):  # a datetime is a date
        return {"$t": value.isoformat()}
    raise TypeError(type(value).__name__)


_TIMES = st.datetimes(timezones=st.just(UTC)) | st.dates()


@given(st.dictionaries(st.text(), _VALUES | _TIMES, max_size=8))
def test_stored_text_reads_back_as_json_dumps_wrote_it_keys_sorted(value: dict[str, Any]) -> None:
    text = json_text(value, default=_iso, sort_keys=True)
    assert json.loads(text) == json.loads(json.dumps(value, default=_iso, sort_keys=True))
    assert list(json.loads(text)) == sorted(value)


def test_times_go_to_default_rather_than_orjson_own_form() -> None:
    at = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    assert json_text({"at": at, "on": date(2026, 12, 5)}, default=_iso) == (
        '{"at":{"$t":"2026-12-05T10:00:00+00:00"},"on":{"$t":"2026-12-05"}}'
    )


@given(st.dictionaries(st.text(), st.floats() | st.none() | st.text(), max_size=6))
def test_stored_text_keeps_nan_and_the_infinities_as_json_dumps_wrote_them(value: dict[str, Any]) -> None:
    text = json_text(value, sort_keys=True)
    assert json.dumps(json.loads(text), sort_keys=True) == json.dumps(value, sort_keys=True)


def test_stored_text_falls_back_and_a_refused_value_is_still_refused() -> None:
    assert json_text({"b": 2**65, "a": "Zürich"}, sort_keys=True) == '{"a":"Zürich","b":36893488147419103232}'
    with pytest.raises(TypeError):
        json_text({"x": object()}, default=_iso)


@given(st.dictionaries(st.sampled_from(["a", "b", "hash", "_lock", "name"]), st.integers()))
def test_without_leaves_out_the_keys_and_never_changes_what_it_was_given(props: dict[str, int]) -> None:
    given_copy = dict(props)
    shown = without(props, frozenset({"hash", "_lock"}))
    assert dict(shown) == {k: v for k, v in props.items() if k not in ("hash", "_lock")}
    assert props == given_copy


@given(
    st.dictionaries(
        st.text(min_size=1, max_size=8),
        st.none()
        | st.builds(
            ItemState,
            st.dictionaries(st.sampled_from(["name", "hash", "n", "at"]), st.integers() | _TIMES),
            st.dictionaries(
                st.tuples(st.sampled_from(["DEPENDS_ON", "OWNED_BY"]), st.text(max_size=5)),
                st.dictionaries(st.sampled_from(["i", "hash"]), st.integers()),
            ),
        ),
        max_size=5,
    )
)
def test_journal_states_read_back_without_bookkeeping(states: dict[str, ItemState | None]) -> None:
    def shown(props: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in props.items() if k != "hash"}

    back = load_states(dump_states(states))
    assert back == {
        i: None if s is None else ItemState(shown(s.props), {k: shown(p) for k, p in s.out.items()})
        for i, s in states.items()
    }
