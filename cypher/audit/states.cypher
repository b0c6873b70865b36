// The state of each id as the writing transaction leaves it: its stored properties and its outgoing relationships
// to items (type, target id, the relationship's properties); props null for an id that no longer exists.
// One record, [id, props, out] for each id in order (a record each cost the driver more than the row).
UNWIND $ids AS id
OPTIONAL MATCH (n:Item {id: id})
RETURN collect([id, properties(n),
                CASE WHEN n IS NULL THEN [] ELSE [(n)-[r]->(m:Item) | [type(r), m.id, properties(r)]] END]) AS states
