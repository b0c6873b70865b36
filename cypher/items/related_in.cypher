// For each target id: the sources of its incoming relationships of one type, in id order.
// One record holding a list: the async driver pays a socket wait per record, which at 700 related items was
// most of a browse page. createdAt and updatedAt come as ISO text (see items.py, STAMPS).
// At most $limit per source (the list cap, plus one to tell that a list is longer than it): a hub with
// 100,000 dependents is not read whole to be refused.
UNWIND $ids AS id
CALL (id) {
  MATCH (:Item {id: id})<-[r:{{rel}}]-(b:Item)
  WITH b, r
  ORDER BY b.id
  LIMIT $limit
  RETURN b, r
}
WITH id, b, r
RETURN collect([id, b {.*, createdAt: toString(b.createdAt), updatedAt: toString(b.updatedAt)}, properties(r)]) AS rows
