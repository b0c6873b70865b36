// The ids an item lists through one relationship type, in listing order.
MATCH (:Item {id: $id})-[r:{{rel}}]->(b:Item)
RETURN b.id AS id
ORDER BY r.i, b.id
