// The kind of each id a batch of readings names (missing ids are not returned).
MATCH (n:Item) WHERE n.id IN $ids
RETURN n.id AS id, n.itemKind AS kind
