// Items by id (any kind), for the read repository (writes read by_ids.cypher inside their transaction).
// One record holding a list: the async driver pays a socket wait per record, which at 700 related items was
// most of a browse page. createdAt and updatedAt come as ISO text (see items.py, STAMPS).
UNWIND $ids AS id
MATCH (n:Item {id: id})
RETURN collect([id, n {.*, createdAt: toString(n.createdAt), updatedAt: toString(n.updatedAt)}]) AS rows
