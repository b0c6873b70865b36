// The kind and lifecycle status of each id that exists.
UNWIND $ids AS id
MATCH (n:Item {id: id})
RETURN id, n.itemKind AS kind, n.status AS status
