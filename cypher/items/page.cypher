// One page of items of a kind in id order (keyset pagination), with property and relationship filters.
// One record holding a list: the async driver pays a socket wait per record, which at 700 related items was
// most of a browse page. createdAt and updatedAt come as ISO text (see items.py, STAMPS).
MATCH (n:{{label}})
WHERE ($after IS NULL OR n.id > $after)
  AND {{props}}
  AND ($site IS NULL OR EXISTS { (n)-[:LOCATED_AT]->(:Item {id: $site}) })
  AND ($owner IS NULL OR EXISTS { (n)-[:OWNED_BY]->(:Item {id: $owner}) })
WITH n
ORDER BY n.id
LIMIT $limit
RETURN collect(n {.*, createdAt: toString(n.createdAt), updatedAt: toString(n.updatedAt)}) AS rows
