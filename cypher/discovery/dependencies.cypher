// The dependencies out of the items a run can touch (by the id index), and every dependency this source made (by
// the relationship index on `source`): with who made them. The caller keeps those between the items it reads.
CALL () {
  UNWIND $ids AS id
  MATCH (a:Item {id: id})-[r:DEPENDS_ON]->(b:Item)
  RETURN a, r, b
  UNION
  MATCH (a:Item)-[r:DEPENDS_ON]->(b:Item)
  WHERE r.source = $source
  RETURN a, r, b
}
RETURN a.id AS from, b.id AS to, r.source AS source
