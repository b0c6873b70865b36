MATCH (n:Item {id: $id})
SET n.version = coalesce(n.version, 0) + 1, n.updatedAt = datetime(), n.hash = null
RETURN n.version AS version
