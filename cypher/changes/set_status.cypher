// Move a change to a new status (already checked under the item's lock), setting the given fields.
MATCH (c:Item:Change {id: $id})
SET c += $props, c.status = $status, c.version = coalesce(c.version, 0) + 1, c.updatedAt = datetime(),
    c.hash = null
RETURN properties(c) AS props
