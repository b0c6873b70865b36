// Changed items of one kind: properties replaced, version bumped; returns what is stored now (for the audit).
// Discovery's bookkeeping (`discovered`) stays unless the row brings its own (a discovery run's does).
UNWIND $rows AS row
MATCH (n:Item {id: row.id})
WITH n, row, n.version AS version, n.createdAt AS createdAt, n.discovered AS discovered
SET n = row.props, n.id = row.id, n.itemKind = row.kind, n.hash = row.hash, n.version = coalesce(version, 0) + 1,
    n.createdAt = createdAt, n.updatedAt = datetime(), n.discovered = coalesce(row.props.discovered, discovered)
FOREACH (k IN keys(row.times) | SET n[k] = datetime(row.times[k]))
RETURN n.id AS id, properties(n) AS props
