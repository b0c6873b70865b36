// For each incident: its kind check and the problem it is attributed to now (if any).
UNWIND $ids AS id
OPTIONAL MATCH (n:Item {id: id})
RETURN id, n.itemKind AS kind, n.status AS status, [(n)-[:ATTRIBUTED_TO]->(p:Problem) | p.id][0] AS problem
