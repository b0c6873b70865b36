// New items, each row with its kind's label (`row.label`: from the vocabulary, see graphsvc/domain/rows.py node_row),
// so that one statement, planned once, creates items of every kind. Timestamps come as ISO text in `row.times`.
// `$at` (ISO text, or null for the statement's time) is the items' creation time: an import gives the time its
// journal states say. Made a datetime once for the batch: per row it was a tenth of a bulk load's node batches.
WITH coalesce(datetime($at), datetime()) AS at
UNWIND $rows AS row
CREATE (n:Item:$(row.label))
SET n = row.props, n.id = row.id, n.itemKind = row.kind, n.hash = row.hash, n.version = 1,
    n.createdAt = at, n.updatedAt = at
FOREACH (k IN keys(row.times) | SET n[k] = datetime(row.times[k]))
