"""Partial results: a root field that fails answers null with its error, and the other root fields of the same
document are still answered (every Query root and every field of an `Estate` is nullable, docs/api.md "Partial
results"). A dashboard asking six panels loses the one with the bad id, not all six."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import GraphQLClient

PANELS = """
query Panels {
  impact(origin: ["CI-PG-ORDERS-99"]) { totals { impacted } }
  change(id: "CHG-9999") { id }
  service(id: "SVC-CATALOG") { id name }
  continuity(serviceId: "SVC-NOPE") { service { id } }
  siteFailure(siteId: "SITE-NOPE") { totals { impacted } }
  cmdbHealth { completeness }
  history(id: "SVC-CATALOG", first: 1) { hasNextPage }
}
"""


def errors_by_path(result: dict[str, Any]) -> dict[str, str]:
    return {".".join(map(str, e["path"])): e["message"] for e in result.get("errors", [])}


def test_a_bad_id_in_one_root_field_leaves_the_others_answered(demo_api: GraphQLClient) -> None:
    result = demo_api.post(PANELS)
    data = result["data"]
    assert data is not None, result
    failed = errors_by_path(result)
    # the three with a bad id fail on their own, each with its message...
    assert set(failed) == {"impact", "continuity", "siteFailure"}, failed
    assert "CI-PG-ORDERS-99" in failed["impact"]
    assert "SVC-NOPE" in failed["continuity"]
    assert data["impact"] is None and data["continuity"] is None and data["siteFailure"] is None
    # ...an id that names nothing is null without an error, as before...
    assert data["change"] is None
    # ...and the panels that can answer do.
    assert data["service"] == {"id": "SVC-CATALOG", "name": data["service"]["name"]}
    assert isinstance(data["cmdbHealth"]["completeness"], float)
    assert isinstance(data["history"]["hasNextPage"], bool)


def test_under_an_estate_a_failing_analysis_leaves_the_others_answered(demo_api: GraphQLClient) -> None:
    result = demo_api.post(
        """query { estate { impact(origin: ["CI-NOPE"]) { totals { impacted } }
                            item(id: "SVC-CATALOG") { id } } }"""
    )
    assert result["data"]["estate"] == {"impact": None, "item": {"id": "SVC-CATALOG"}}
    assert list(errors_by_path(result)) == ["estate.impact"]
