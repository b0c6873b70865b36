// Every item's id, for the journal's baseline.
MATCH (n:Item)
RETURN n.id AS id
ORDER BY id
