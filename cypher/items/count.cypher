// How many items of a kind match the filters (for totalCount).
MATCH (n:{{label}})
WHERE {{props}}
  AND ($site IS NULL OR EXISTS { (n)-[:LOCATED_AT]->(:Item {id: $site}) })
  AND ($owner IS NULL OR EXISTS { (n)-[:OWNED_BY]->(:Item {id: $owner}) })
RETURN count(n) AS total
