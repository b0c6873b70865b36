// The rest of what cost allocation reads: memberships (member -> group, weight 1), consumption (service -> business
// unit, weighted by share) and the business units.
CALL () {
  MATCH (g:RedundancyGroup)-[:HAS_MEMBER]->(m:Item)
  RETURN collect([m.id, g.id, 1.0]) AS memberships
}
CALL () {
  MATCH (u:BusinessUnit)-[c:CONSUMES]->(s:Service)
  RETURN collect([s.id, u.id, coalesce(c.share, 1.0)]) AS consumption
}
CALL () {
  MATCH (u:BusinessUnit)
  RETURN collect([u.id, coalesce(u.name, u.id)]) AS units
}
RETURN memberships, consumption, units
