// The dependencies this source made and no longer sees.
UNWIND $rows AS row
MATCH (:Item {id: row.from})-[r:DEPENDS_ON]->(:Item {id: row.to})
WHERE r.source = $source
DELETE r
