// Redundancy groups that are down already: fewer distinct members that are not RETIRED than their minHealthy.
// A scan of every group, so callers keep the answer while the graph's fingerprint stays the same.
MATCH (g:RedundancyGroup)
WHERE COUNT { MATCH (g)-[:HAS_MEMBER]->(x) WHERE x.status IS NULL OR x.status <> 'RETIRED' RETURN DISTINCT x }
      < coalesce(g.minHealthy, 1)
RETURN collect(g.id) AS ids
