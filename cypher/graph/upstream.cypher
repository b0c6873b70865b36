// The nodes that can reach the origin along dependency and membership edges (the origin included), each with
// every outgoing edge. A redundancy group reports how many of its members are not RETIRED; so does a group an
// edge points to, so a group already below its quorum outside the set is still seen as DOWN. `origins` gives the
// kind of each id that exists, so the caller can check them without another round trip.
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
      THEN COUNT { (n)-[:HAS_MEMBER]->(x) WHERE x.status IS NULL OR x.status <> 'RETIRED' } END,
    [(n)-[r:DEPENDS_ON|HAS_MEMBER]->(m) |
      [m.id, type(r) = 'HAS_MEMBER', coalesce(r.strength, 'HARD') = 'HARD', m.status = 'RETIRED',
       CASE WHEN m:RedundancyGroup
         THEN [m.minHealthy, COUNT { (m)-[:HAS_MEMBER]->(y) WHERE y.status IS NULL OR y.status <> 'RETIRED' },
               coalesce(m.name, m.id)] END]]
  ]) AS rows
}
RETURN [o IN found | [o.id, o.itemKind]] AS origins, rows
