"""Every HTML report links an item's id to the explorer (/explore?focus=), a change's or an incident's to its impact
(?from=), a service's continuity and a business unit's cost to their overlays; ids are percent-encoded, then
HTML-escaped. Markdown and CSV keep plain ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from graphsvc.analysis.availability import Availability, IncidentShare
from graphsvc.analysis.change_rules import Violation
from graphsvc.analysis.conflicts import Conflict
from graphsvc.analysis.continuity import Continuity, ObjectiveGap
from graphsvc.analysis.exposure import Exposure, impacted_services
from graphsvc.analysis.health import Finding, Health
from graphsvc.analysis.impact import compute_impact
from graphsvc.analysis.risk import Risk
from graphsvc.analysis.status import ServiceState
from graphsvc.domain.changes import ChangeRecord, ChangeStatus, ChangeType, ConflictReason, PolicyRule, RiskLevel
from graphsvc.domain.graph import Status
from graphsvc.reports.cab import agenda_html, change_html, change_markdown
from graphsvc.reports.compliance import compliance_html
from graphsvc.reports.continuity import continuity_html, continuity_markdown, sla_html
from graphsvc.reports.cost import cost_csv, cost_html
from graphsvc.reports.health import health_csv, health_html
from graphsvc.reports.index import report_index
from graphsvc.reports.page import explore_link, explore_open, explore_url
from graphsvc.reports.status import status_html
from graphsvc.usecases.changes import Assessment
from graphsvc.usecases.compliance import ComplianceReport, PolicyFindings
from graphsvc.usecases.continuity import ContinuityReport, SlaFigure
from graphsvc.usecases.cost import CostReport, ServiceCost, UnitAmount
from graphsvc.usecases.impact import ImpactAnalysis
from graphsvc.usecases.reports import AgendaReport, ChangeReport
from graphsvc.usecases.status import BoardEntry, StatusBoard
from tests.unit.test_change_analysis import graph

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
D = Decimal


def focus(item_id: str) -> str:
    """What a report prints for an item: its id, linked to the explorer focused on it."""
    return explore_link(item_id)


def test_ids_are_percent_encoded_then_html_escaped() -> None:
    assert explore_url(focus="A&B") == "/explore?focus=A%26B"
    assert explore_url(from_="CHG 1") == "/explore?from=CHG%201"
    assert explore_url(origins=["A,1", "B"], degraded="C") == "/explore?origins=A%2C1,B&degraded=C"
    assert explore_url(overlay="continuity", service="S/1?x") == "/explore?overlay=continuity&service=S%2F1%3Fx"
    assert explore_link("A&B") == '<a class="explore" href="/explore?focus=A%26B">A&amp;B</a>'
    assert explore_link('x"><script>', key="from") == (
        '<a class="explore" href="/explore?from=x%22%3E%3Cscript%3E">x&quot;&gt;&lt;script&gt;</a>'
    )
    assert explore_open("<open>", overlay="cost", unit="BU 1") == (
        '<a class="explore open" href="/explore?overlay=cost&amp;unit=BU%201">&lt;open&gt;</a>'
    )


def test_the_index_links_to_the_explorer() -> None:
    assert '<a class="explore" href="/explore">Explorer</a>' in report_index(NOW)


def cost_report() -> CostReport:
    return CostReport(
        total=D("1234.56"),
        unallocated_total=D("34.56"),
        business_units=[UnitAmount("BU A&B", "Retail", D("1200.00"), [("SVC 1", D("1200.00"))])],
        services=[ServiceCost("SVC 1", "Shop", D("200.00"), D("1200.00"))],
        unallocated=[("CI-9", "orphan", D("34.56"))],
    )


def test_cost_statements_open_the_cost_overlay_and_every_id_the_explorer() -> None:
    html = cost_html(cost_report(), NOW)
    statement = html.split('<section class="statement-unit"', 1)[1]
    assert '<h2>Statement: <a class="explore" href="/explore?focus=BU%20A%26B">BU A&amp;B</a> Retail</h2>' in statement
    assert '<a class="explore open" href="/explore?overlay=cost&amp;unit=BU%20A%26B">' in statement
    assert '<td><a class="explore" href="/explore?focus=SVC%201">SVC 1</a></td><td>Shop</td>' in statement
    services = html.split("<h2>Services: own cost and total</h2>", 1)[1]
    assert f"<td>{focus('SVC 1')}</td>" in services and f"<td>{focus('CI-9')}</td><td>orphan</td>" in services
    assert "explore" not in cost_csv(cost_report())


def test_compliance_subjects_open_the_explorer_a_change_on_its_impact() -> None:
    owners = PolicyRule("POL-O", "Owners", "OWNER_REQUIRED", {})
    freeze = PolicyRule("POL-F", "Freeze", "CHANGE_FREEZE", {})
    report = ComplianceReport(
        [
            PolicyFindings(owners, [Violation(owners, "OWNER_REQUIRED", "CI&1", "CI&1 has no owner")]),
            PolicyFindings(freeze, [Violation(freeze, "CHANGE_FREEZE", "CHG-1", "CHG-1 falls in the freeze")]),
        ],
        0,
        [],
    )
    html = compliance_html(report, NOW)
    assert '<td><a class="explore" href="/explore?focus=CI%261">CI&amp;1</a></td>' in html
    assert '<td><a class="explore" href="/explore?from=CHG-1">CHG-1</a></td>' in html
    assert 'href="/explore?focus=POL' not in html  # a policy is not a graph item the explorer draws


def test_health_findings_open_their_item() -> None:
    health = Health(90.0, 95.0, 100.0, (Finding("ORPHAN_CI", "CI 7", "CI 7 is an orphan"),))
    assert '<td><a class="explore" href="/explore?focus=CI%207">CI 7</a></td>' in health_html(health, NOW)
    assert "explore" not in health_csv(health)


def test_status_tiles_link_each_incident_to_its_impact_and_carry_no_script() -> None:
    state = ServiceState("SVC-1", Status.DOWN, NOW - timedelta(minutes=30), ("INC 1&2",))
    incident = {"id": "INC 1&2", "title": "SAN down", "priority": "P1", "openedAt": NOW - timedelta(minutes=30)}
    board = StatusBoard(NOW, 1, [BoardEntry({"id": "SVC-1", "name": "Shop"}, state, [incident])])
    html = status_html(board)
    assert '(<a class="explore" href="/explore?from=INC%201%262">INC 1&amp;2</a>, since' in html
    assert "<script" not in html and " on" + "click" not in html


def continuity_report() -> ContinuityReport:
    result = Continuity(
        service="SVC A",
        closure=frozenset({"DB&1", "NET 1"}),
        single_points_of_failure=("DB&1",),
        rto_violations=(ObjectiveGap("DB&1", 120, 60),),
        rpo_violations=(),
        unknown_rto=("NET 1",),
        unknown_rpo=(),
        waves=(("DB&1", "NET 1"), ("SVC A",)),
    )
    items = {
        "SVC A": {"id": "SVC A", "name": "Shop", "itemKind": "SERVICE"},
        "DB&1": {"id": "DB&1", "name": "db", "itemKind": "CI"},
        "NET 1": {"id": "NET 1", "name": "net", "itemKind": "CI"},
    }
    return ContinuityReport({"id": "SVC A", "name": "Shop", "rtoMinutes": 60}, result, items)


def test_a_services_continuity_opens_its_overlay_and_its_items() -> None:
    one = continuity_html([continuity_report()], 1, NOW)
    assert '<h1 id="SVC A"><a class="explore" href="/explore?focus=SVC%20A">SVC A</a>: Shop</h1>' in one
    assert '<a class="explore open" href="/explore?overlay=continuity&amp;service=SVC%20A">' in one
    spofs = one.split("<h2>Single points of failure</h2>", 1)[1].split("<h2>", 1)[0]
    assert f"<td>{focus('DB&1')}</td><td>db</td>" in spofs
    gaps = one.split("<h2>Recovery objective gaps</h2>", 1)[1].split("<h2>", 1)[0]
    assert f"<td>RTO</td><td>{focus('DB&1')}</td>" in gaps and f"<td>RTO</td><td>{focus('NET 1')}</td>" in gaps
    assert f"<td>0</td><td>{focus('DB&1')}, {focus('NET 1')}</td>" in one  # a recovery wave
    estate = continuity_html([continuity_report()], 2, NOW)
    assert '<h2 id="SVC A"><a class="explore" href="/explore?focus=SVC%20A">SVC A</a>: Shop</h2>' in estate
    assert "explore" not in continuity_markdown([continuity_report()], 1, NOW)


def test_sla_rows_link_service_and_unit_and_each_breach_its_incidents() -> None:
    result = Availability(600.0, 30.0, 98.6, ("INC 9",), (IncidentShare("INC 9", "OUTAGE", 600.0, 30.0),))
    figure = SlaFigure({"id": "SLA-1", "name": "gold"}, {"id": "SVC A"}, {"id": "BU&1"}, result, 99.9, breached=True)
    html = sla_html([figure], NOW - timedelta(days=30), NOW, NOW)
    assert f"<td>SLA-1</td><td>gold</td><td>{focus('SVC A')}</td><td>{focus('BU&1')}</td>" in html
    assert '<td><a class="explore" href="/explore?from=INC%209">INC 9</a></td><td>OUTAGE</td>' in html


def change_report() -> ChangeReport:
    g = graph("SVC-1>CI&1 SVC-2>CI&1", services={"SVC-1": 3, "SVC-2": 2})
    impact = compute_impact(g, ["CI&1"])
    change = ChangeRecord("CHG 7", "patch", ChangeType.NORMAL, ChangeStatus.SUBMITTED, ("CI&1",))
    other = ChangeRecord("CHG&8", "other", ChangeType.NORMAL, ChangeStatus.SUBMITTED, ("CI&1",))
    assessment = Assessment(
        change,
        ImpactAnalysis(None, impact),  # type: ignore[arg-type]  # no exposure is loaded from it here
        Risk(12, RiskLevel.LOW, ()),
        [Conflict(other, ConflictReason.SAME_ITEM, ("CI&1",))],
        [],
        [],
    )
    exposure = Exposure(impacted_services(impact), [], [{"id": "BU 1", "name": "Retail"}], [{"id": "SLA-1"}], [])
    return ChangeReport(assessment, exposure, NOW)


def test_a_change_report_opens_its_impact_and_every_item() -> None:
    html = change_html(change_report())
    assert '<h1 id="CHG 7">Change <a class="explore" href="/explore?from=CHG%207">CHG 7</a>: patch</h1>' in html
    assert f"modifies {focus('CI&1')} · " in html
    assert '<a class="explore open" href="/explore?from=CHG%207">open its impact in the explorer</a>' in html
    assert f"<td>{focus('SVC-1')}</td><td>SVC-1 service</td>" in html
    assert f"<td>{focus('BU 1')}</td><td>Retail</td>" in html
    assert '<td><a class="explore" href="/explore?from=CHG%268">CHG&amp;8</a></td><td>other</td>' in html
    assert f"<td>SAME_ITEM</td><td>{focus('CI&1')}</td>" in html
    assert "<td>SLA-1</td>" in html  # an SLA is left as text
    agenda = agenda_html(AgendaReport(NOW, NOW + timedelta(days=7), [change_report()], NOW))
    assert '<h2 id="CHG 7">Change <a class="explore" href="/explore?from=CHG%207">CHG 7</a>: patch</h2>' in agenda
    assert "explore" not in change_markdown(change_report())
