// Take the item's write lock before reading its version, so concurrent updates serialise (no lost update).
MATCH (n:Item {id: $id})
SET n._lock = true
REMOVE n._lock
RETURN n.version AS version, n.itemKind AS kind, properties(n) AS props
