// Bookkeeping on the items a run saw or stopped seeing without changing them: when last seen, what each source wrote.
// Not a change of the item (no version, no audit entry).
UNWIND $rows AS row
MATCH (n:Item {id: row.id})
SET n.discovered = row.discovered
FOREACH (_ IN CASE WHEN row.seen THEN [1] ELSE [] END | SET n.lastSeenAt = datetime($now))
