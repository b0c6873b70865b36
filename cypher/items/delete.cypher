MATCH (n:Item {id: $id})
DETACH DELETE n
