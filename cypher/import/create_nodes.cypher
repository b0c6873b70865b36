// New items, each row with its kind's label (`row.label`: from the vocabulary, see graphsvc/domain/rows.py node_row),
// so that one statement, planned once, creates items of every kind. Timestamps come as ISO text in `row.times`, and
// `row.at` is the items' creation time when the writer gives one (an import: the time its journal states say).
UNWIND $rows AS row
WITH row, coalesce(datetime(row.at), datetime()) AS at
CREATE (n:Item:$(row.label))
SET n = row.props, n.id = row.id, n.itemKind = row.kind, n.hash = row.hash, n.version = 1,
    n.createdAt = at, n.updatedAt = at
FOREACH (k IN keys(row.times) | SET n[k] = datetime(row.times[k]))
