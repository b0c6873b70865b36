// The nodes that can reach the origin along dependency and membership edges (the origin included), each with
// every outgoing edge. A redundancy group reports how many of its members are not RETIRED; so does a group an
// edge points to, so a group already below its quorum outside the set is still seen as DOWN.
MATCH (o:Item) WHERE o.id IN $ids AND (o:Service OR o:ConfigurationItem OR o:RedundancyGroup)
MATCH (n:Item)-[:DEPENDS_ON|HAS_MEMBER*0..]->(o)
WITH DISTINCT n
RETURN n.id AS id, n.itemKind AS kind, coalesce(n.name, n.id) AS name, n.status AS status,
       n.criticality AS criticality, n.tier AS tier, n.type AS type, n.minHealthy AS minHealthy,
       CASE WHEN n:RedundancyGroup
         THEN COUNT { (n)-[:HAS_MEMBER]->(x) WHERE x.status IS NULL OR x.status <> 'RETIRED' } END AS live,
       [(n)-[r:DEPENDS_ON|HAS_MEMBER]->(m) |
         [m.id, type(r) = 'HAS_MEMBER', coalesce(r.strength, 'HARD') = 'HARD', m.status = 'RETIRED',
          CASE WHEN m:RedundancyGroup
            THEN [m.minHealthy, COUNT { (m)-[:HAS_MEMBER]->(y) WHERE y.status IS NULL OR y.status <> 'RETIRED' },
                  coalesce(m.name, m.id)] END]] AS out
