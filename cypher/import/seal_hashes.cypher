// An import's last step, for items it leaves unchanged that were stored without a content hash (another write
// cleared it, or a bulk load was cut short): the hash of what is stored, so the next import compares by it.
// Only if the item is still the version the import compared: a write since (which clears the hash and bumps the
// version) is not hidden by a hash of what it replaced.
UNWIND $rows AS row
MATCH (n:Item {id: row.id})
WHERE coalesce(n.version, -1) = coalesce(row.version, -1)
SET n.hash = row.hash
