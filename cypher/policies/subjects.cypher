// What the non-change policy rules look at: every live service and CI with its criticality, utilization,
// recovery objectives and whether it has an owner; and the changes the change rules apply to.
CALL () {
  MATCH (n:Item)
  WHERE (n:Service OR n:ConfigurationItem) AND (n.status IS NULL OR n.status <> 'RETIRED')
  RETURN collect([n.id, n.itemKind, coalesce(n.name, n.id), n.criticality, n.utilization, n.rtoMinutes,
                  n.rpoMinutes, EXISTS { (n)-[:OWNED_BY]->(:Team) }]) AS items
}
CALL () {
  MATCH (c:Change)
  WHERE c.status IN ['DRAFT', 'SUBMITTED', 'APPROVED', 'SCHEDULED'] AND c.plannedStart IS NOT NULL
    AND c.plannedEnd IS NOT NULL
  RETURN collect(c.id) AS changes
}
RETURN items, changes
