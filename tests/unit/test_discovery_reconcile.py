"""The reconciliation's plan (graphsvc/discovery/reconcile.py) over random stored items and random runs
(hypothesis): a run applied and run again changes nothing; a field someone else set last is never written; only
items the source created are retired, and only when unseen and still as the source left them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.discovery.model import Observation, SeenDependency, SeenItem
from graphsvc.discovery.reconcile import Current, Plan, plan_run
from graphsvc.domain.vocabulary import Kind

SRC = "kubernetes:t"
OTHER = "csv:x"
IDS = [f"I{n}" for n in range(6)]
NOW = datetime(2026, 12, 1, tzinfo=UTC)
NAMES = st.sampled_from(["a", "b", "c"])
TYPES = st.sampled_from(["APPLICATION", "DATABASE"])


@st.composite
def stored(draw: Any) -> dict[str, Current]:
    current = {}
    for item_id in draw(st.lists(st.sampled_from(IDS), unique=True, max_size=5)):
        fields = {"name": draw(NAMES), "type": draw(TYPES), "status": draw(st.sampled_from(["ACTIVE", "RETIRED"]))}
        creator = draw(st.sampled_from([SRC, OTHER, None]))
        written: dict[str, dict[str, Any]] = {}
        if creator == SRC or draw(st.booleans()):  # what this source wrote last: some of it may have been changed since
            written[SRC] = {k: v if draw(st.booleans()) else draw(NAMES) for k, v in fields.items()}
        seen_at = {SRC: NOW - timedelta(hours=draw(st.integers(1, 48)))} if SRC in written else {}
        current[item_id] = Current(item_id, Kind.CONFIGURATION_ITEM, fields, creator, written, seen_at)
    return current


@st.composite
def runs(draw: Any) -> Observation:
    items = [
        SeenItem(i, Kind.CONFIGURATION_ITEM, {"name": draw(NAMES), "type": draw(TYPES)})
        for i in draw(st.lists(st.sampled_from(IDS), unique=True, max_size=5))
    ]
    deps = [SeenDependency(a, b) for a, b in draw(st.lists(st.tuples(st.sampled_from(IDS), st.sampled_from(IDS))))]
    return Observation(SRC, items, deps)


def applied(current: dict[str, Current], plan: Plan) -> dict[str, Current]:
    """The stored items after the plan is written (as db/discovery.py writes it)."""
    after = dict(current)
    for item_id, written in plan.written.items():
        old = current.get(item_id)
        fields = plan.results.get(item_id, old.fields if old else {})
        creator = old.source if old else plan.source
        seen_at = {**(old.seen_at if old else {})}
        if item_id in plan.seen:
            seen_at[plan.source] = plan.now
        mine = {**(old.written if old else {}), plan.source: written}
        after[item_id] = Current(item_id, Kind.CONFIGURATION_ITEM, dict(fields), creator, mine, seen_at)
    return after


def dependencies_after(existing: list[tuple[str, str, str | None]], plan: Plan) -> list[tuple[str, str, str | None]]:
    gone = set(plan.dependencies_removed)
    kept = [(a, b, s) for a, b, s in existing if (a, b) not in gone]
    return kept + [(a, b, plan.source) for a, b, _, _ in plan.dependencies_added]


@settings(max_examples=400)
@given(stored(), runs(), st.lists(st.tuples(st.sampled_from(IDS), st.sampled_from(IDS), st.sampled_from([SRC, None]))))
def test_the_same_run_again_changes_nothing(
    current: dict[str, Current], run: Observation, deps: list[tuple[str, str, str | None]]
) -> None:
    existing = [(a, b, s) for a, b, s in dict(((a, b), (a, b, s)) for a, b, s in deps).values() if a != b]
    first = plan_run(run, current, existing, NOW)
    second = plan_run(run, applied(current, first), dependencies_after(existing, first), NOW + timedelta(hours=1))
    assert second.created == {} and second.updated == {} and second.retired == []
    assert second.dependencies_added == [] and second.dependencies_removed == []


@settings(max_examples=400)
@given(stored(), runs())
def test_what_others_set_is_never_written_and_only_the_sources_own_items_retire(
    current: dict[str, Current], run: Observation
) -> None:
    plan = plan_run(run, current, [], NOW)
    for item_id, changes in plan.updated.items():
        item = current[item_id]
        mine = item.written.get(SRC, {})
        for name, (old, _new) in changes.items():
            assert old is None or mine.get(name) == old  # empty, or still what this source wrote
    seen = {i.id for i in run.items}
    for item_id in plan.retired:
        item = current[item_id]
        assert item.source == SRC and item_id not in seen
        assert item.fields["status"] == item.written[SRC].get("status") != "RETIRED"
    for kept in plan.kept:
        assert current[kept.item].written.get(SRC, {}).get(kept.field) != kept.current
    assert set(plan.created).isdisjoint(current) and set(plan.created) <= seen
