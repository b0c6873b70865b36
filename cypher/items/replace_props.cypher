// Replace an item's properties after a checked update; bumps the version. The import hash is cleared so the
// next import compares afresh. Discovery's bookkeeping (`discovered`: what each source last wrote and when it last
// saw the item) is no field a person sets: it stays, so the sources keep the fields nobody changed.
MATCH (n:Item {id: $id})
WITH n, n.version AS version, n.createdAt AS createdAt, n.itemKind AS kind, n.discovered AS discovered
SET n = $props, n.id = $id, n.itemKind = kind, n.version = coalesce(version, 0) + 1, n.createdAt = createdAt,
    n.updatedAt = datetime(), n.hash = null, n.discovered = discovered
RETURN properties(n) AS props
