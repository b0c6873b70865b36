// For each target id: the sources of its incoming relationships of one type, in id order.
UNWIND $ids AS id
MATCH (:Item {id: id})<-[r:{{rel}}]-(b:Item)
RETURN id, properties(b) AS props, properties(r) AS rel
ORDER BY id, b.id
