// The nodes that can reach one of $ids along dependency and membership edges, each with every outgoing edge and,
// for a group, how many distinct members it has that are not RETIRED (its quorum is capped at that number).
// `origins` gives the kind of each id that exists, so the caller can check them without another round trip.
// One record holding lists: the driver's per-record cost would otherwise dominate for a hub's 50,000 rows.
OPTIONAL MATCH (o:Item) WHERE o.id IN $ids
WITH collect(o) AS found
CALL (found) {
  UNWIND found AS o
  WITH o WHERE o:Service OR o:ConfigurationItem OR o:RedundancyGroup
  MATCH (n:Item)-[:DEPENDS_ON|HAS_MEMBER*0..]->(o)
  WITH DISTINCT n
  RETURN collect([
    n.id, n.itemKind, coalesce(n.name, n.id), n.status, n.criticality, n.tier, n.type, n.minHealthy,
    CASE WHEN n:RedundancyGroup
      THEN COUNT { MATCH (n)-[:HAS_MEMBER]->(x) WHERE x.status IS NULL OR x.status <> 'RETIRED' RETURN DISTINCT x }
    END,
    [(n)-[r:DEPENDS_ON|HAS_MEMBER]->(m) |
      [m.id, type(r) = 'HAS_MEMBER', coalesce(r.strength, 'HARD') = 'HARD', m.status = 'RETIRED']]
  ]) AS rows
}
RETURN [o IN found | [o.id, o.itemKind]] AS origins, rows
