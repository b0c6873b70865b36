// What the CMDB health check measures (SEMANTICS.md, "CMDB health"), in one read: each live service and CI with
// which expected fields it has; each group with its quorum and its live members; every dependency of a live item on
// a RETIRED one. A CI is an orphan when no dependency links it to a live item and no group has it as a member.
CALL () {
  MATCH (s:Service) WHERE s.status IS NULL OR s.status <> 'RETIRED'
  RETURN collect([s.id, EXISTS { (s)-[:OWNED_BY]->(:Team) }, s.criticality IS NOT NULL, s.rtoMinutes IS NOT NULL])
    AS services
}
CALL () {
  MATCH (c:ConfigurationItem) WHERE c.status IS NULL OR c.status <> 'RETIRED'
  RETURN collect([
    c.id, EXISTS { (c)-[:OWNED_BY]->(:Team) }, EXISTS { (c)-[:LOCATED_AT]->(:Site) }, c.monthlyCost IS NOT NULL,
    EXISTS { (c)-[:DEPENDS_ON]-(x:Item) WHERE x.status IS NULL OR x.status <> 'RETIRED' }
      OR EXISTS { (:RedundancyGroup)-[:HAS_MEMBER]->(c) }
  ]) AS cis
}
CALL () {
  MATCH (g:RedundancyGroup)
  RETURN collect([
    g.id, g.minHealthy,
    COUNT { MATCH (g)-[:HAS_MEMBER]->(x) WHERE x.status IS NULL OR x.status <> 'RETIRED' RETURN DISTINCT x }
  ]) AS groups
}
CALL () {
  MATCH (a:Item)-[:DEPENDS_ON]->(b:Item)
  WHERE b.status = 'RETIRED' AND (a.status IS NULL OR a.status <> 'RETIRED')
  RETURN collect([a.id, b.id]) AS retired
}
RETURN services, cis, groups, retired
