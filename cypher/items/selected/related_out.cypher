// The targets of `n`'s outgoing relationships of one type, in listing order (as items/related_out.cypher).
COLLECT { MATCH (n)-[r:{{rel}}]->(b:Item) WITH b, r ORDER BY r.i, b.id LIMIT $listLimit RETURN {{item}} }
