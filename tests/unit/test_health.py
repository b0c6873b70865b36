"""CMDB health (SEMANTICS.md, "CMDB health"): the three measures and the findings, by hand and by property."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from graphsvc.analysis.health import KINDS, CiFacts, GroupFacts, ServiceFacts, cmdb_health


def test_nothing_to_measure_is_a_hundred_percent() -> None:
    health = cmdb_health([], [], [], [], 0, 0)
    assert (health.completeness, health.correctness, health.compliance, health.findings) == (100, 100, 100, ())


def test_every_kind_of_finding_and_the_measures() -> None:
    services = [ServiceFacts("S-1", True, True, True), ServiceFacts("S-2", False, True, False)]
    cis = [
        CiFacts("C-1", True, True, True, True),
        CiFacts("C-2", True, False, True, False),  # no site, and nothing links it
    ]
    groups = [GroupFacts("G-1", 2, 1), GroupFacts("G-2", 1, 0), GroupFacts("G-3", 1, 2)]
    health = cmdb_health(services, cis, groups, [("S-1", "OLD"), ("S-1", "OLDER")], 4, 1)
    assert [(f.kind, f.subject) for f in health.findings] == [
        ("EMPTY_GROUP", "G-2"),
        ("MISSING_FIELD", "C-2"),
        ("MISSING_FIELD", "S-2"),
        ("MISSING_FIELD", "S-2"),
        ("ORPHAN_CI", "C-2"),
        ("RETIRED_DEPENDENCY", "S-1"),
        ("RETIRED_DEPENDENCY", "S-1"),
        ("UNDER_PROVISIONED_GROUP", "G-1"),
        ("UNDER_PROVISIONED_GROUP", "G-2"),
    ]
    assert health.findings[2].message == "service S-2 has no owner"
    assert health.findings[3].message == "service S-2 has no rtoMinutes"
    assert health.findings[5].message == "S-1 depends on OLD, which is RETIRED (analyses drop it)"
    assert health.completeness == round(100 * 9 / 12, 2)  # 12 expected fields, 3 empty
    # subjects of correctness findings: G-2, C-2, S-1, G-1 of 7 items
    assert health.correctness == round(100 * 3 / 7, 2)
    assert health.compliance == 75.0


facts = st.tuples(
    st.lists(st.builds(ServiceFacts, st.uuids().map(str), st.booleans(), st.booleans(), st.booleans()), max_size=8),
    st.lists(
        st.builds(CiFacts, st.uuids().map(str), st.booleans(), st.booleans(), st.booleans(), st.booleans()),
        max_size=8,
    ),
    st.lists(st.builds(GroupFacts, st.uuids().map(str), st.integers(1, 4), st.integers(0, 4)), max_size=5),
    st.integers(0, 6).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))),
)


@given(facts)
def test_measures_are_percentages_and_findings_are_sorted(case: tuple) -> None:  # type: ignore[type-arg]
    services, cis, groups, (policies, violated) = case
    health = cmdb_health(services, cis, groups, [], policies, violated)
    for measure in (health.completeness, health.correctness, health.compliance):
        assert 0 <= measure <= 100 and round(measure, 2) == measure
    assert list(health.findings) == sorted(health.findings, key=lambda f: (f.kind, f.subject, f.message))
    assert {f.kind for f in health.findings} <= set(KINDS)
    complete = all(s.owner and s.criticality and s.rto_minutes for s in services) and all(
        c.owner and c.site and c.monthly_cost for c in cis
    )
    assert (health.completeness == 100) is complete or not (services or cis)
    assert (health.compliance == 100) is (violated == 0)


@given(facts)
def test_filling_a_field_never_lowers_completeness(case: tuple) -> None:  # type: ignore[type-arg]
    services, cis, groups, (policies, violated) = case
    before = cmdb_health(services, cis, groups, [], policies, violated).completeness
    better = [ServiceFacts(s.id, True, s.criticality, s.rto_minutes) for s in services]
    assert cmdb_health(better, cis, groups, [], policies, violated).completeness >= before
