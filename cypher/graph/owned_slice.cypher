// The owning teams of a slice of services and CIs in id order (keyset on the unique id), after $after: what an
// impact's teams are read from, kept in memory beside the dependency graph (usecases/graph_cache.py). One record
// holding a list, as graph/all_nodes.
CALL () {
  MATCH (i:Item)
  WHERE i.id > $after AND (i:Service OR i:ConfigurationItem)
  RETURN i ORDER BY i.id LIMIT $limit
}
RETURN collect([i.id, [(i)-[:OWNED_BY]->(t:Team) | t.id]]) AS rows
