// The sources of `n`'s incoming relationships of one type, in id order (as items/related_in.cypher).
COLLECT { MATCH (n)<-[r:{{rel}}]-(b:Item) WITH b, r ORDER BY b.id LIMIT $listLimit RETURN {{item}} }
