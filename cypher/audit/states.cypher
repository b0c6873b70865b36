// The state of each id as the writing transaction leaves it: its stored properties and its outgoing relationships
// to items (type, target id, the relationship's properties); props null for an id that no longer exists.
UNWIND $ids AS id
OPTIONAL MATCH (n:Item {id: id})
RETURN id, properties(n) AS props,
       CASE WHEN n IS NULL THEN [] ELSE [(n)-[r]->(m:Item) | [type(r), m.id, properties(r)]] END AS out
