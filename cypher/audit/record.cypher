// Audit entries for one write, in the write's own transaction: who, what action, which item, before and after
// (JSON text; null for "did not exist"). `seq` orders the entries of one transaction (they share `at`);
// `subject` is ITEM, or API_TOKEN for token management (kept out of the items' history).
UNWIND $rows AS row
CREATE (:AuditEntry {id: randomUUID(), at: datetime(), seq: row.seq, actorId: $actorId, actorName: $actorName,
                     action: $action, itemId: row.itemId, subject: row.kind, before: row.before, after: row.after})
