"""The journal's JSON and the initial load's CSV cells write each time as its own text, though both remember the last
time they were given (the items a load creates share one `createdAt`): a time equal to the last but at another
offset, or a new time, is never written as the one before it (domain/estate.py `_tag`, db/initial_load.py `_cell`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from graphsvc.db.initial_load import _cell
from graphsvc.domain.estate import ItemState, dump_states, load_states

# the same instants at other offsets: equal (and hashed alike) to their UTC twins, written differently
_INSTANTS = [datetime(2026, 12, 6, 22, n, tzinfo=UTC) for n in range(3)]
_POOL = [
    *_INSTANTS,
    *(t.astimezone(timezone(timedelta(hours=1))) for t in _INSTANTS),
    *(t.astimezone(timezone(timedelta(hours=-5, minutes=-30))) for t in _INSTANTS),
]
# each drawn time is one of a few objects, repeated in runs, as a load's shared creation time is
times = st.lists(st.sampled_from(_POOL), min_size=1, max_size=12).flatmap(
    lambda picks: st.lists(st.sampled_from(picks), min_size=1, max_size=30)
)


@given(times, st.booleans())
def test_the_journal_gives_back_each_time_at_its_own_offset(drawn: list[datetime], with_a_date: bool) -> None:
    states: dict[str, ItemState | None] = {}
    for n, at in enumerate(drawn):
        props = {"id": f"CI-{n}", "createdAt": at, "updatedAt": drawn[-1 - n]}
        if with_a_date:
            props["due"] = date(2026, 1, 1 + n % 28)
        states[f"CI-{n}"] = ItemState(props, {})
    back = load_states(dump_states(states))
    for item_id, state in states.items():
        assert state is not None
        got = back[item_id]
        assert got is not None
        for key, value in state.props.items():
            assert got.props[key] == value and type(got.props[key]) is type(value), (item_id, key)
            if isinstance(value, datetime):
                assert got.props[key].utcoffset() == value.utcoffset(), (item_id, key)


@given(st.lists(st.one_of(st.sampled_from(_POOL), st.booleans(), st.dates()), max_size=40))
def test_each_cell_is_its_own_values_text(values: list[object]) -> None:
    for value in values:
        expected = ("true" if value else "false") if isinstance(value, bool) else value.isoformat()  # type: ignore[attr-defined]
        assert _cell(value) == expected
