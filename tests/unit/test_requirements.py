"""Requirement compliance: each reason, children before parents, and a refinement cycle that cannot loop."""

from __future__ import annotations

from graphsvc.analysis.requirements import MetricFacts, RequirementFacts, compliance


def test_reasons_and_children() -> None:
    reqs = {
        "P": RequirementFacts("P", children=["C1", "C2"]),
        "C1": RequirementFacts("C1", [MetricFacts("m1", 99.9, "GTE", 99.95)], active_services=["S"]),
        "C2": RequirementFacts("C2", [MetricFacts("m2", 300, "LTE", 450), MetricFacts("m3", 1, "GTE", None)]),
        "Q": RequirementFacts("Q", children=["C1"]),
        "R": RequirementFacts("R", [MetricFacts("m4", 5, "LTE", 5)], active_services=["S"], children=["C2"]),
    }
    got = compliance(reqs)
    assert got["C1"] == (True, ())
    assert got["C2"] == (False, ("NO_SERVICE", "METRIC_MISSED", "METRIC_UNKNOWN"))
    assert got["P"] == (False, ("CHILD_UNMET",))
    assert got["Q"] == (True, ())  # no metric, no service of its own, every child MET
    assert got["R"] == (True, ())  # an ACTIVE service satisfies it: its unmet child does not matter


def test_a_refinement_cycle_is_unmet_not_endless() -> None:
    reqs = {"A": RequirementFacts("A", children=["B"]), "B": RequirementFacts("B", children=["A"])}
    got = compliance(reqs)
    assert got["A"][0] is False and got["B"][0] is False
