// New items of one kind.
UNWIND $rows AS row
CREATE (n:Item:{{label}})
SET n = row.props, n.id = row.id, n.itemKind = row.kind, n.hash = row.hash, n.version = 1,
    n.createdAt = datetime(), n.updatedAt = datetime()
