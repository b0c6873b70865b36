// Set fields of an incident or problem (already checked under the item's lock); bumps its version.
MATCH (n:Item {id: $id})
SET n += $props, n.version = coalesce(n.version, 0) + 1, n.updatedAt = datetime(), n.hash = null
RETURN properties(n) AS props
