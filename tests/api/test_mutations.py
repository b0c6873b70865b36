"""Mutations end to end: typed errors, nothing written on failure, optimistic concurrency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from neo4j import Driver

from tests.api.conftest import GraphQLClient
from tests.api.test_contract_browse import load
from tests.conftest import counts

RESULT = """
  __typename
  ... on UserError { message }
  ... on DuplicateId { id existingKind }
  ... on UnknownReference { field id }
  ... on InvalidInput { problems { field message } }
  ... on StaleVersion { expectedVersion actualVersion }
  ... on NotFound { id }
"""

CREATE_SERVICE = f"""
mutation($input: ServiceInput!) {{
  createService(input: $input) {{
    ... on ServicePayload {{
      service {{ id name version tier criticality monthlyCost owner {{ id }} satisfies {{ id }} }}
    }}
    {RESULT}
  }}
}}"""

UPDATE_SERVICE = f"""
mutation($id: ID!, $version: Int!, $patch: ServicePatch!) {{
  updateService(id: $id, version: $version, patch: $patch) {{
    ... on ServicePayload {{ service {{ id name version criticality rtoMinutes owner {{ id }} satisfies {{ id }} }} }}
    {RESULT}
  }}
}}"""

CREATE_CI = f"""
mutation($input: ConfigurationItemInput!) {{
  createConfigurationItem(input: $input) {{
    ... on ConfigurationItemPayload {{ configurationItem {{ id version attributes site {{ id }} }} }}
    {RESULT}
  }}
}}"""

ADD_DEP = """
mutation($input: DependencyInput!) {
  addDependency(input: $input) {
    __typename
    ... on UserError { message }
    ... on DependencyPayload { dependent { id version } dependsOn { id } dependentVersion }
  }
}"""

DELETE = """
mutation($id: ID!, $version: Int, $detach: Boolean! = false) {
  deleteItem(id: $id, version: $version, detach: $detach) {
    __typename
    ... on UserError { message }
    ... on Deleted { id itemKind }
    ... on StillReferenced { references referencedBy }
  }
}"""


def svc(**extra: Any) -> dict[str, Any]:
    return {"id": "SVC-NEW", "name": "New service", "tier": "TECHNICAL", "criticality": 2, **extra}


def test_create_service(api: GraphQLClient) -> None:
    load(api)
    out = api.data(CREATE_SERVICE, {"input": svc(owner="T-WEB", satisfies=["R-S1"], monthlyCost="12.5")})
    assert out["createService"] == {
        "__typename": "ServicePayload",
        "service": {
            "id": "SVC-NEW",
            "name": "New service",
            "version": 1,
            "tier": "TECHNICAL",
            "criticality": 2,
            "monthlyCost": "12.50",
            "owner": {"id": "T-WEB"},
            "satisfies": [{"id": "R-S1"}],
        },
    }


def test_create_errors_are_typed_and_write_nothing(api: GraphQLClient, sync_driver: Driver) -> None:
    load(api)
    before = counts(sync_driver, "neo4j")
    dup = api.data(CREATE_SERVICE, {"input": svc(id="CI-DB-1")})["createService"]
    assert dup["__typename"] == "DuplicateId" and dup["existingKind"] == "CONFIGURATION_ITEM"
    assert dup["message"] == "id 'CI-DB-1' is already used by a CONFIGURATION_ITEM"
    unknown = api.data(CREATE_SERVICE, {"input": svc(owner="T-9")})["createService"]
    assert unknown == {
        "__typename": "UnknownReference",
        "message": "owner: unknown id 'T-9'",
        "field": "owner",
        "id": "T-9",
    }
    wrong_kind = api.data(CREATE_SERVICE, {"input": svc(satisfies=["SVC-SHOP"])})["createService"]
    assert wrong_kind["__typename"] == "UnknownReference" and wrong_kind["field"] == "satisfies[0]"
    assert "'SVC-SHOP' is a SERVICE; expected a REQUIREMENT" in wrong_kind["message"]
    invalid = api.data(CREATE_SERVICE, {"input": svc(criticality=9, id="bad id!")})["createService"]
    assert invalid["__typename"] == "InvalidInput"
    assert {p["field"] for p in invalid["problems"]} == {"id", "criticality"}
    bad_enum = api.post(CREATE_SERVICE, {"input": svc(tier="GALACTIC")})
    assert "GALACTIC" in bad_enum["errors"][0]["message"] and "ServiceTier" in bad_enum["errors"][0]["message"]
    assert counts(sync_driver, "neo4j") == before


def test_update_with_versions(api: GraphQLClient, sync_driver: Driver) -> None:
    load(api)
    first = api.data(
        UPDATE_SERVICE,
        {"id": "SVC-SHOP", "version": 1, "patch": {"criticality": 2, "owner": "T-DBA", "rtoMinutes": None}},
    )
    assert first["updateService"]["service"] == {
        "id": "SVC-SHOP",
        "name": "Web Shop",
        "version": 2,
        "criticality": 2,
        "rtoMinutes": None,
        "owner": {"id": "T-DBA"},
        "satisfies": [{"id": "R-B1"}, {"id": "R-S1"}],
    }
    stale = api.data(UPDATE_SERVICE, {"id": "SVC-SHOP", "version": 1, "patch": {"name": "Lost update"}})
    assert stale["updateService"] == {
        "__typename": "StaleVersion",
        "expectedVersion": 1,
        "actualVersion": 2,
        "message": "'SVC-SHOP' is at version 2, not 1: re-read it and retry",
    }
    missing = api.data(UPDATE_SERVICE, {"id": "CI-DB-1", "version": 1, "patch": {"name": "x"}})["updateService"]
    assert missing["__typename"] == "NotFound"
    bad_ref = api.data(UPDATE_SERVICE, {"id": "SVC-SHOP", "version": 2, "patch": {"owner": "T-NOPE"}})
    assert bad_ref["updateService"]["__typename"] == "UnknownReference"
    records, _, _ = sync_driver.execute_query(
        "MATCH (s:Service {id: 'SVC-SHOP'}) RETURN s.name AS name, s.version AS v", database_="neo4j"
    )
    assert (records[0]["name"], records[0]["v"]) == ("Web Shop", 2)


def test_concurrent_updates_never_lose_one(api: GraphQLClient, sync_driver: Driver) -> None:
    load(api)

    def attempt(i: int) -> str:
        while True:
            current = api.data('query { service(id: "SVC-SHOP") { version } }')["service"]["version"]
            out = api.data(UPDATE_SERVICE, {"id": "SVC-SHOP", "version": current, "patch": {"name": f"writer {i}"}})[
                "updateService"
            ]
            if out.get("__typename") != "StaleVersion":
                return str(out["service"]["version"])

    with ThreadPoolExecutor(max_workers=6) as pool:
        accepted = list(pool.map(attempt, range(12)))
    # Every accepted update got its own version: none overwrote another silently.
    assert sorted(int(v) for v in accepted) == list(range(2, 14))
    records, _, _ = sync_driver.execute_query(
        "MATCH (s:Service {id: 'SVC-SHOP'}) RETURN s.version AS v", database_="neo4j"
    )
    assert records[0]["v"] == 13


def test_configuration_item_with_attributes(api: GraphQLClient) -> None:
    load(api)
    out = api.data(
        CREATE_CI,
        {
            "input": {
                "id": "CI-X",
                "name": "x",
                "type": "SERVER",
                "site": "S-FRA",
                "attributes": {"ip": "10.0.0.1", "cores": 8},
            }
        },
    )
    assert out["createConfigurationItem"]["configurationItem"] == {
        "id": "CI-X",
        "version": 1,
        "attributes": {"cores": 8, "ip": "10.0.0.1"},
        "site": {"id": "S-FRA"},
    }


def test_dependencies(api: GraphQLClient, sync_driver: Driver) -> None:
    load(api)
    before = counts(sync_driver, "neo4j")
    self_dep = api.data(ADD_DEP, {"input": {"from": "CI-DB-1", "to": "CI-DB-1"}})["addDependency"]
    assert self_dep == {"__typename": "SelfDependency", "message": "from: 'CI-DB-1' cannot depend on itself"}
    unknown = api.data(ADD_DEP, {"input": {"from": "CI-DB-1", "to": "CI-GHOST"}})["addDependency"]
    assert unknown == {"__typename": "UnknownReference", "message": "to: unknown id 'CI-GHOST'"}
    not_dependable = api.data(ADD_DEP, {"input": {"from": "CI-DB-1", "to": "T-WEB"}})["addDependency"]
    assert not_dependable["__typename"] == "UnknownReference" and "is a TEAM" in not_dependable["message"]
    assert counts(sync_driver, "neo4j") == before
    added = api.data(ADD_DEP, {"input": {"from": "CI-DB-3", "to": "CI-SAN-1", "strength": "SOFT"}})["addDependency"]
    assert added == {
        "__typename": "DependencyPayload",
        "dependent": {"id": "CI-DB-3", "version": 2},
        "dependsOn": {"id": "CI-SAN-1"},
        "dependentVersion": 2,
    }
    edges = api.data('{ configurationItem(id: "CI-DB-3") { dependencies { item { id } strength } } }')
    assert edges["configurationItem"]["dependencies"] == [{"item": {"id": "CI-SAN-1"}, "strength": "SOFT"}]
    removed = api.data('mutation { removeDependency(from: "CI-DB-3", to: "CI-SAN-1") { __typename } }')
    assert removed["removeDependency"]["__typename"] == "DependencyRemoved"
    again = api.data('mutation { removeDependency(from: "CI-DB-3", to: "CI-SAN-1") { __typename } }')
    assert again["removeDependency"]["__typename"] == "NotFound"
    assert counts(sync_driver, "neo4j") == before


def test_delete(api: GraphQLClient, sync_driver: Driver) -> None:
    load(api)
    refused = api.data(DELETE, {"id": "T-DBA"})["deleteItem"]
    assert refused["__typename"] == "StillReferenced" and refused["references"] == 4
    assert "CI-DB-1 (OWNED_BY)" in refused["referencedBy"]
    stale = api.data(DELETE, {"id": "CI-MON", "version": 7})["deleteItem"]
    assert stale["__typename"] == "StaleVersion"
    gone = api.data(DELETE, {"id": "T-DBA", "detach": True})["deleteItem"]
    assert gone == {"__typename": "Deleted", "id": "T-DBA", "itemKind": "TEAM"}
    assert api.data('{ item(id: "T-DBA") { id } }') == {"item": None}
    assert api.data(DELETE, {"id": "T-DBA"})["deleteItem"]["__typename"] == "NotFound"


GROUP = f"""
mutation($input: RedundancyGroupInput!) {{
  createRedundancyGroup(input: $input) {{
    ... on RedundancyGroupPayload {{ redundancyGroup {{ id minHealthy version members {{ id }} }} }}
    {RESULT}
  }}
}}"""

UPDATE_GROUP = f"""
mutation($id: ID!, $version: Int!, $patch: RedundancyGroupPatch!) {{
  updateRedundancyGroup(id: $id, version: $version, patch: $patch) {{
    ... on RedundancyGroupPayload {{ redundancyGroup {{ id minHealthy version members {{ id }} }} }}
    {RESULT}
  }}
}}"""


def test_sites_business_units_and_groups(api: GraphQLClient, sync_driver: Driver) -> None:
    load(api)
    site = api.data(
        'mutation { createSite(input: {id: "S-AMS", name: "Amsterdam", region: "eu-west"}) '
        "{ ... on SitePayload { site { id name region version } } } }"
    )
    assert site["createSite"]["site"] == {"id": "S-AMS", "name": "Amsterdam", "region": "eu-west", "version": 1}
    unit = api.data(
        'mutation { updateBusinessUnit(id: "BU-FIN", version: 1, patch: {costCenter: "CC-200"}) '
        "{ ... on BusinessUnitPayload { businessUnit { id costCenter version } } } }"
    )
    assert unit["updateBusinessUnit"]["businessUnit"] == {"id": "BU-FIN", "costCenter": "CC-200", "version": 2}
    created = api.data(
        GROUP, {"input": {"id": "RG-LB", "name": "LBs", "minHealthy": 1, "members": ["CI-APP-1", "SVC-ORDERS"]}}
    )["createRedundancyGroup"]
    assert created["redundancyGroup"] == {
        "id": "RG-LB",
        "minHealthy": 1,
        "version": 1,
        "members": [{"id": "CI-APP-1"}, {"id": "SVC-ORDERS"}],
    }
    before = counts(sync_driver, "neo4j")
    ghost = api.data(GROUP, {"input": {"id": "RG-X", "name": "x", "minHealthy": 1, "members": ["CI-GHOST"]}})
    assert ghost["createRedundancyGroup"] == {
        "__typename": "UnknownReference",
        "field": "members[0]",
        "id": "CI-GHOST",
        "message": "members[0]: unknown id 'CI-GHOST'",
    }
    quorum = api.data(UPDATE_GROUP, {"id": "RG-DB", "version": 1, "patch": {"minHealthy": 4}})
    assert quorum["updateRedundancyGroup"] == {
        "__typename": "InvalidInput",
        "message": "minHealthy: minHealthy 4 exceeds the group's 3 member(s)",
        "problems": [{"field": "minHealthy", "message": "minHealthy 4 exceeds the group's 3 member(s)"}],
    }
    assert counts(sync_driver, "neo4j") == before
    shrunk = api.data(UPDATE_GROUP, {"id": "RG-DB", "version": 1, "patch": {"members": ["CI-DB-1", "CI-DB-2"]}})
    assert shrunk["updateRedundancyGroup"]["redundancyGroup"] == {
        "id": "RG-DB",
        "minHealthy": 2,
        "version": 2,
        "members": [{"id": "CI-DB-1"}, {"id": "CI-DB-2"}],
    }
