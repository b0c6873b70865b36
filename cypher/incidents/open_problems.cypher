// Problems still OPEN or KNOWN_ERROR, with the items they are blamed on.
MATCH (p:Problem)
WHERE p.status IN ['OPEN', 'KNOWN_ERROR']
RETURN properties(p) AS props, [(p)-[:CAUSED_BY]->(x) | x.id] AS causedBy
ORDER BY p.id
