// Light: for each source id: the targets of its outgoing relationships of one type, in listing order.
// Only what a field asking for `id`, `name` or `itemKind` of related items needs (a browse page's dependents):
// reading every property of thousands of dependents was most of the time of a page of facilities.
UNWIND $ids AS id
MATCH (:Item {id: id})-[r:{{rel}}]->(b:Item)
WITH id, b, r
ORDER BY id, r.i, b.id
RETURN collect([id, {id: b.id, itemKind: b.itemKind, name: b.name, title: b.title}, properties(r)]) AS rows
