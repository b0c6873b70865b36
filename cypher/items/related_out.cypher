// For each source id: the targets of its outgoing relationships of one type, in listing order.
UNWIND $ids AS id
MATCH (:Item {id: id})-[r:{{rel}}]->(b:Item)
RETURN id, properties(b) AS props, properties(r) AS rel
ORDER BY id, r.i, b.id
