// For each id: one side of its neighbourhood, the sources of its incoming relationships of one type, capped
// (domain/neighbours.py): the count of neighbours per (itemKind, CI type), and the first $first of them, services
// first, then by criticality (ascending puts nulls last), then by id. A hub may have 100,000 neighbours: the counts
// read two properties of each, the order three, and only the $first kept by the ORDER BY ... LIMIT (a top-k, never
// a sort of them all) are projected whole. createdAt and updatedAt come as ISO text (see items.py, STAMPS). An
// unknown id has no row.
UNWIND $ids AS id
MATCH (a:Item {id: id})
CALL (a) {
  MATCH (a)<-[:{{rel}}]-(b:Item)
  WITH b.itemKind AS kind, CASE b.itemKind WHEN 'CONFIGURATION_ITEM' THEN b.type END AS type, count(*) AS n
  RETURN collect([kind, type, n]) AS counts
}
CALL (a) {
  MATCH (a)<-[r:{{rel}}]-(b:Item)
  WITH b, r
  ORDER BY b.itemKind <> 'SERVICE', b.criticality, b.id
  LIMIT $first
  RETURN collect([b {.*, createdAt: toString(b.createdAt), updatedAt: toString(b.updatedAt)}, properties(r)]) AS rows
}
RETURN id, counts, rows
