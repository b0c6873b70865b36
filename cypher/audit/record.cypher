// Audit entries for one write, in the write's own transaction: who, what action, which item, before and after
// (JSON text; null for "did not exist"). `seq` orders the entries of one transaction (they share `at`).
UNWIND $rows AS row
CREATE (:AuditEntry {id: randomUUID(), at: datetime(), seq: row.seq, actorId: $actorId, actorName: $actorName,
                     action: $action, itemId: row.itemId, before: row.before, after: row.after})
