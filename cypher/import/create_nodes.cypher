// New items of one kind. Timestamps come as ISO text in `row.times` (see graphsvc/domain/rows.py node_row).
UNWIND $rows AS row
CREATE (n:Item:{{label}})
SET n = row.props, n.id = row.id, n.itemKind = row.kind, n.hash = row.hash, n.version = 1,
    n.createdAt = datetime(), n.updatedAt = datetime()
FOREACH (k IN keys(row.times) | SET n[k] = datetime(row.times[k]))
