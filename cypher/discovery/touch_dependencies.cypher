// This source's dependencies it still sees: when last seen (bookkeeping, no audit entry).
UNWIND $rows AS row
MATCH (:Item {id: row.from})-[r:DEPENDS_ON]->(:Item {id: row.to})
WHERE r.source = $source
SET r.lastSeenAt = datetime($now)
