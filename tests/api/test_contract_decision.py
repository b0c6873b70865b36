"""decision.graphql as written, and the exception that unblocks a change: a change that breaks a freeze or a
maintenance window is BLOCKED, cannot be approved until an exception is granted with a reason, and the grant is
audited."""

from __future__ import annotations

import copy
from typing import Any

from tests.api.conftest import GraphQLClient, operation
from tests.api.test_change_lifecycle import ESTATE

DECISION = operation("decision.graphql", "ChangeDecision")
RESULT = """__typename ... on ChangePayload { change { id status } }
  ... on UserError { message } ... on ChangeBlocked { policyIds } ... on InvalidInput { problems { field } }"""


def decision(api: GraphQLClient, change_id: str) -> dict[str, Any]:
    return api.data(DECISION, {"id": change_id}, "ChangeDecision")["change"]["assessment"]  # type: ignore[no-any-return]


def test_the_demo_agenda_puts_the_freeze_breaker_first(demo_api: GraphQLClient) -> None:
    chg = decision(demo_api, "CHG-1004")
    assert chg["decision"] == "BLOCKED"
    assert "CHANGE_FREEZE" in {v["ruleType"] for v in chg["policyViolations"]}
    agenda = demo_api.data(
        '{ cabAgenda(from: "2026-11-20T00:00:00Z", to: "2026-12-31T00:00:00Z") { change { id } decision '
        "risk { score } } }"
    )["cabAgenda"]
    assert agenda[0]["change"]["id"] == "CHG-1004" and agenda[0]["decision"] == "BLOCKED"
    order = ["BLOCKED", "CAB", "OWNERS"]
    keys = [(order.index(a["decision"]), -a["risk"]["score"]) for a in agenda]
    assert keys == sorted(keys)
    # EMERGENCY in the freeze is allowed through, with the CAB: CAB, not BLOCKED
    assert decision(demo_api, "CHG-1005")["decision"] == "CAB"


FROZEN: dict[str, Any] = copy.deepcopy(ESTATE)
FROZEN["policies"] = [
    {
        "id": "POL-FREEZE",
        "name": "December freeze",
        "kind": "POLICY",
        "statement": "No changes to the shop in early December.",
        "rule": {"type": "CHANGE_FREEZE", "from": "2026-12-04T00:00:00Z", "to": "2026-12-08T00:00:00Z"},
        "governs": ["SVC-SHOP"],
    },
    {
        "id": "POL-OWNERS",
        "name": "Owners",
        "kind": "RULE",
        "statement": "Everything has an owner.",
        "rule": {"type": "OWNER_REQUIRED"},
    },
]


def test_a_blocked_change_needs_an_exception_with_a_reason(api: GraphQLClient) -> None:
    api.data(operation("import.graphql", "ImportCmdb"), {"document": FROZEN}, "ImportCmdb")
    assert decision(api, "C-2")["decision"] == "BLOCKED"  # SUBMITTED, in the freeze, and it degrades the shop

    refused = api.data(f'mutation {{ r: approveChange(id: "C-2") {{ {RESULT} }} }}')["r"]
    assert refused["__typename"] == "ChangeBlocked" and refused["policyIds"] == ["POL-FREEZE"]
    assert "grant a policy exception with a reason" in refused["message"]
    assert api.data('{ change(id: "C-2") { status } }')["change"]["status"] == "SUBMITTED"  # nothing written

    grant = (
        'mutation {{ r: grantPolicyException(changeId: "{c}", policyId: "{p}", reason: "{r}") {{ __typename '
        "... on PolicyExceptionPayload {{ change {{ id }} exception {{ policyId reason grantedBy }} }} "
        "... on UserError {{ message }} ... on InvalidInput {{ problems {{ field message }} }} }} }}"
    )
    empty = api.data(grant.format(c="C-2", p="POL-FREEZE", r="  "))["r"]
    assert empty["__typename"] == "InvalidInput" and empty["problems"][0]["field"] == "reason"
    wrong = api.data(grant.format(c="C-2", p="POL-OWNERS", r="x"))["r"]
    assert wrong["__typename"] == "InvalidInput" and "only CHANGE_FREEZE and MAINTENANCE_WINDOW" in wrong["message"]
    missing = api.data(grant.format(c="C-404", p="POL-FREEZE", r="x"))["r"]
    assert missing["__typename"] == "NotFound"
    assert decision(api, "C-2")["decision"] == "BLOCKED"  # none of those granted anything

    granted = api.data(grant.format(c="C-2", p="POL-FREEZE", r="Security fix; the shop team agreed"))["r"]
    assert granted["exception"]["reason"] == "Security fix; the shop team agreed"
    assert granted["exception"]["grantedBy"]  # the token's name
    after = decision(api, "C-2")
    assert after["decision"] == "OWNERS" and "CHANGE_FREEZE" in {v["ruleType"] for v in after["policyViolations"]}
    approved = api.data(f'mutation {{ r: approveChange(id: "C-2") {{ {RESULT} }} }}')["r"]
    assert approved["change"]["status"] == "APPROVED"
    history = api.data('{ history(id: "C-2") { entries { action after } } }')["history"]["entries"]
    assert any(h["action"] == "grantPolicyException" and "POL-FREEZE" in str(h["after"]) for h in history)

    # What the board saw is kept with the approval, and what has moved since is told.
    kept_query = """{ change(id: "C-2") { approvedAssessment { approvedBy decision risk { score level }
      impactedServices { id status } conflicts { changeId reason } policyViolations { policyId ruleType }
      requiredApprovals { approver } policyExceptions sinceApproval } } }"""
    full = api.data(
        '{ change(id: "C-2") { assessment { decision risk { score level } impact { services { id status } } '
        "conflicts { change { id } reason } policyViolations { policy { id } ruleType } "
        "requiredApprovals { approver } } } }"
    )["change"]["assessment"]
    kept = api.data(kept_query)["change"]["approvedAssessment"]
    assert kept["approvedBy"] and kept["decision"] == "OWNERS" == full["decision"]
    assert kept["risk"] == full["risk"]
    assert kept["impactedServices"] == full["impact"]["services"]
    assert kept["conflicts"] == [{"changeId": c["change"]["id"], "reason": c["reason"]} for c in full["conflicts"]]
    assert kept["policyViolations"] == [
        {"policyId": v["policy"]["id"], "ruleType": v["ruleType"]} for v in full["policyViolations"]
    ]
    assert kept["requiredApprovals"] == full["requiredApprovals"]
    assert kept["policyExceptions"] == ["POL-FREEZE"] and kept["sinceApproval"] == []
    assert {"id": "SVC-ADS", "status": "DOWN"} not in kept["impactedServices"]

    api.data('mutation { addDependency(input: {from: "SVC-ADS", to: "APP"}) { __typename } }')
    later = api.data(kept_query)["change"]["approvedAssessment"]
    assert later["impactedServices"] == kept["impactedServices"]  # what the board saw stays as it was
    assert any(s.startswith("impacted since approval: SVC-ADS") for s in later["sinceApproval"]), later
    assert api.data('{ change(id: "C-1") { approvedAssessment { decision } } }')["change"]["approvedAssessment"] is None
    report = api.http.get("/reports/changes/C-2", params={"format": "md"})
    assert report.status_code == 200, report.text
    section = report.text.split("## As approved, and what has changed since", 1)[1]
    assert "by " in section and "decision OWNERS" in section
    assert "- impacted since approval: SVC-ADS" in section
    page = api.http.get("/reports/changes/C-2").text
    assert "<h2>As approved, and what has changed since</h2>" in page and "SVC-ADS" in page
    assert 'Change <a class="explore" href="/explore?from=C-2">C-2</a>:' in page  # opens its impact in the explorer
