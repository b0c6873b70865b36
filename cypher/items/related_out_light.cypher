// Light: for each source id: the targets of its outgoing relationships of one type, in listing order.
// Only what a field asking for `id`, `name` or `itemKind` of related items needs (a browse page's dependents):
// reading every property of thousands of dependents was most of the time of a page of facilities.
// At most $limit per source (the list cap, plus one to tell that a list is longer than it): a hub with
// 100,000 dependents is not read whole to be refused.
UNWIND $ids AS id
CALL (id) {
  MATCH (:Item {id: id})-[r:{{rel}}]->(b:Item)
  WITH b, r
  ORDER BY r.i, b.id
  LIMIT $limit
  RETURN b, r
}
WITH id, b, r
RETURN collect([id, {id: b.id, itemKind: b.itemKind, name: b.name, title: b.title}, properties(r)]) AS rows
