// The kind and content hash of each given id that already exists.
UNWIND $ids AS id
MATCH (n:Item {id: id})
RETURN n.id AS id, n.itemKind AS kind, n.hash AS hash, n.version AS version
