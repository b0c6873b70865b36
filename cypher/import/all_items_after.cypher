// Every item's kind, content hash and version in id order, the next $limit after id $after (one range scan of the
// unique id index, no seek per id): a re-import of most of the estate reads it this way (db/stored.py existing_in).
MATCH (n:Item)
WHERE n.id > $after
WITH n
ORDER BY n.id
LIMIT $limit
RETURN collect([n.id, n.itemKind, n.hash, n.version]) AS found
