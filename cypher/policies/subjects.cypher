// What the non-change policy rules look at: every live service and CI with its criticality, utilization,
// recovery objectives and whether it has an owner; and the changes the change rules apply to, as
// changes/by_ids.cypher returns them (found by status here: matching 2,000 ids one by one on :Change, which has no
// id index of its own, scanned every change per id).
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
  RETURN collect({props: properties(c), modifies: [(c)-[r:MODIFIES]->(x) | [r.i, x.id]],
                  release: [(c)-[:PART_OF]->(rel:Release) | rel.id][0]}) AS changes
}
RETURN items, changes
