// Every item's state now (properties and outgoing relationships to items), a slice in id order after $after:
// the estate read from the database itself.
MATCH (n:Item)
WHERE n.id > $after
WITH n ORDER BY n.id LIMIT $limit
RETURN collect([n.id, properties(n), [(n)-[r]->(m:Item) | [type(r), m.id, properties(r)]]]) AS rows
