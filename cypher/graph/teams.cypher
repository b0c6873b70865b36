// Every team's stored properties: the owners an impact names, kept in memory beside the dependency graph.
MATCH (t:Team)
RETURN properties(t) AS team
