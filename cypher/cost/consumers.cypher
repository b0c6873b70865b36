// The rest of what cost allocation reads, as columns: memberships (member -> group, weight 1), consumption
// (service -> business unit, weighted by share) and the business units with their names.
CALL () {
  MATCH (g:RedundancyGroup)-[:HAS_MEMBER]->(m:Item)
  RETURN collect(m.id) AS member_ids, collect(g.id) AS group_ids
}
CALL () {
  MATCH (u:BusinessUnit)-[c:CONSUMES]->(s:Service)
  RETURN collect(s.id) AS consumed_ids, collect(u.id) AS consumer_ids, collect(coalesce(c.share, 1.0)) AS shares
}
CALL () {
  MATCH (u:BusinessUnit)
  RETURN collect(u.id) AS unit_ids, collect(coalesce(u.name, u.id)) AS unit_names
}
RETURN member_ids, group_ids, consumed_ids, consumer_ids, shares, unit_ids, unit_names
