// Items by id (any kind).
UNWIND $ids AS id
MATCH (n:Item {id: id})
RETURN id, properties(n) AS props
