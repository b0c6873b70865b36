// One page of items of a kind in id order (keyset pagination, read from the kind's id index: schema/0013), with
// property and relationship filters.
// One record holding a list: the async driver pays a socket wait per record, which at 700 related items was
// most of a browse page. createdAt and updatedAt come as ISO text (see items.py, STAMPS).
MATCH (n:{{label}})
WHERE {{after}} AND {{filters}}
WITH n
ORDER BY n.id
LIMIT $limit
RETURN collect(n {.*, createdAt: toString(n.createdAt), updatedAt: toString(n.updatedAt)}) AS rows
