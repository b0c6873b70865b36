// Delete an item with its relationships. The items that listed it (owner, dependencies, members, ...) lose it from
// their content: their import hash is cleared so the next import compares them afresh.
MATCH (n:Item {id: $id})
OPTIONAL MATCH (source:Item)-->(n)
WITH n, collect(DISTINCT source) AS sources
FOREACH (s IN sources | SET s.hash = null)
DETACH DELETE n
