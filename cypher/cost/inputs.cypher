// Everything cost allocation reads, as one record of lists: live services, CIs and groups with their own monthly
// cost; the edges cost flows along ([from, to, weight]: what is depended on first); the business units.
CALL () {
  MATCH (n:Item)
  WHERE (n:Service OR n:ConfigurationItem OR n:RedundancyGroup) AND (n.status IS NULL OR n.status <> 'RETIRED')
  RETURN collect([n.id, n.itemKind, n.monthlyCost, coalesce(n.name, n.id)]) AS nodes
}
CALL () {
  MATCH (a:Item)-[r:DEPENDS_ON]->(b:Item)
  WHERE (a.status IS NULL OR a.status <> 'RETIRED') AND (b.status IS NULL OR b.status <> 'RETIRED')
  RETURN collect([b.id, a.id, coalesce(r.weight, 1.0)]) AS deps
}
CALL () {
  MATCH (g:RedundancyGroup)-[:HAS_MEMBER]->(m:Item)
  WHERE m.status IS NULL OR m.status <> 'RETIRED'
  RETURN collect([m.id, g.id, 1.0]) AS memberships
}
CALL () {
  MATCH (u:BusinessUnit)-[c:CONSUMES]->(s:Service)
  WHERE s.status IS NULL OR s.status <> 'RETIRED'
  RETURN collect([s.id, u.id, coalesce(c.share, 1.0)]) AS consumption
}
CALL () {
  MATCH (u:BusinessUnit)
  RETURN collect([u.id, coalesce(u.name, u.id)]) AS units
}
RETURN nodes, deps, memberships, consumption, units
