// Replace an item's properties after a checked update; bumps the version. The import hash is cleared so the
// next import compares afresh.
MATCH (n:Item {id: $id})
WITH n, n.version AS version, n.createdAt AS createdAt, n.itemKind AS kind
SET n = $props, n.id = $id, n.itemKind = kind, n.version = coalesce(version, 0) + 1, n.createdAt = createdAt,
    n.updatedAt = datetime(), n.hash = null
RETURN properties(n) AS props
