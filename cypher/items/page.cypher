// One page of items of a kind in id order (keyset pagination), with property and relationship filters.
MATCH (n:{{label}})
WHERE ($after IS NULL OR n.id > $after)
  AND all(k IN keys($props) WHERE n[k] = $props[k])
  AND ($site IS NULL OR EXISTS { (n)-[:LOCATED_AT]->(:Item {id: $site}) })
  AND ($owner IS NULL OR EXISTS { (n)-[:OWNED_BY]->(:Item {id: $owner}) })
RETURN properties(n) AS props
ORDER BY n.id
LIMIT $limit
