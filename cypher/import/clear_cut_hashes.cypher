// After a bulk load was cut short: the content hash of every item written since it began ($since: its created
// items' updatedAt, and its updated items' is later) is cleared, so the next import compares each of them with what
// is stored rather than with what the load meant to store, and writes what is missing. Every item is looked at (no
// index on updatedAt): this runs once, after a load was cut short. In batches: a 1M-item load is too large for one
// transaction. Compared as instants (to the millisecond, an item of the same millisecond before the load included:
// harmless): a datetime from the driver and one from Cypher's datetime() can differ in how they name UTC, and then
// `>=` does not hold between the same instant.
// An item whose updatedAt is missing or not a datetime (written behind graphsvc's back) is cleared too: clearing is
// never wrong, only a comparison more for the next import.
MATCH (n:Item)
WHERE n.hash IS NOT NULL
  AND (NOT n.updatedAt IS :: ZONED DATETIME NOT NULL OR n.updatedAt.epochMillis >= $since.epochMillis)
CALL (n) {
  SET n.hash = null
} IN TRANSACTIONS OF 10000 ROWS
