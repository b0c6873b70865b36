// The owning teams of every service and CI, each with the ids it owns: the owners an impact names, kept in memory
// beside the dependency graph (usecases/graph_cache.py).
MATCH (i:Item)-[:OWNED_BY]->(t:Team)
WHERE i:Service OR i:ConfigurationItem
RETURN properties(t) AS team, collect(i.id) AS owns
