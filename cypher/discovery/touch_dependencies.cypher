// This source's dependencies it still sees: when last seen, and its evidence as seen now (a trace's `callCount`
// moves from run to run). Bookkeeping: no version, no audit entry.
UNWIND $rows AS row
MATCH (:Item {id: row.from})-[r:DEPENDS_ON]->(:Item {id: row.to})
WHERE r.source = $source
SET r.lastSeenAt = datetime($now), r.attributes = row.attributes
