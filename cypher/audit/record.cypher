// Audit entries for one write, in the write's own transaction: who, what action, which item, before and after
// (JSON text; null for "did not exist"). `seq` orders the entries of one transaction (they share `at`);
// `subject` is ITEM, API_TOKEN for token management (kept out of the items' history), or STATE for an entry that
// only carries states (an import's last step). `tx` (the transaction's clock in ns since the epoch, the same for all
// its statements) groups a write's entries for the event feed (db/audit_feed.py); a write committed in several
// transactions (a bulk import) gives its own in `$tx`, the same for all of them. `pos` and `states` (JSON: each
// touched item's properties and outgoing relationships after the write) go on the first entry of a write that
// records states. An import's batch of created items (1,000 or more in all, or a bulk load) is one entry (subject
// CREATED) with their ids in `createdIds` and their stored fields in `afters` (graphsvc/db/audit.py created_entry);
// other rows leave both out.
WITH datetime.transaction() AS clock
WITH coalesce($tx, clock.epochMillis * 1000000 + clock.nanosecond % 1000000) AS tx
UNWIND $rows AS row
CREATE (:AuditEntry {id: randomUUID(), at: datetime(), tx: tx,
                     seq: row.seq, actorId: $actorId, actorName: $actorName, action: $action, itemId: row.itemId,
                     subject: row.kind, before: row.before, after: row.after, pos: row.pos, states: row.states,
                     createdIds: row.createdIds, afters: row.afters})
