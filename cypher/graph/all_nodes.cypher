// A slice of the whole dependency graph in id order (keyset on the unique id): services, CIs and groups after
// $after, each with every outgoing dependency and membership edge. One record holding a list, as in upstream.
CALL () {
  MATCH (n:Item)
  WHERE n.id > $after AND (n:Service OR n:ConfigurationItem OR n:RedundancyGroup)
  RETURN n ORDER BY n.id LIMIT $limit
}
RETURN collect([
  n.id, n.itemKind, coalesce(n.name, n.id), n.status, n.criticality, n.tier, n.type, n.minHealthy,
  [(n)-[r:DEPENDS_ON|HAS_MEMBER]->(m) | [m.id, type(r) = 'HAS_MEMBER', coalesce(r.strength, 'HARD') = 'HARD']]
]) AS rows
