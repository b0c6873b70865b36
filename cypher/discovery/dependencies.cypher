// The dependencies between the items a run can touch, and every dependency this source made: with who made them.
MATCH (a:Item)-[r:DEPENDS_ON]->(b:Item)
WHERE (a.id IN $ids AND b.id IN $ids) OR r.source = $source
RETURN a.id AS from, b.id AS to, r.source AS source
