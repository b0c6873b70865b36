// Every relationship of one type, in source order then listing order.
MATCH (a:Item)-[r:{{rel}}]->(b:Item)
RETURN a.id AS from, b.id AS to, properties(r) AS props
ORDER BY a.id, r.i, b.id
