// For each source id: the targets of its outgoing relationships of one type, in listing order.
// One record holding a list: the async driver pays a socket wait per record, which at 700 related items was
// most of a browse page. createdAt and updatedAt come as ISO text (see items.py, STAMPS).
UNWIND $ids AS id
MATCH (:Item {id: id})-[r:{{rel}}]->(b:Item)
WITH id, b, r
ORDER BY id, r.i, b.id
RETURN collect([id, b {.*, createdAt: toString(b.createdAt), updatedAt: toString(b.updatedAt)}, properties(r)]) AS rows
