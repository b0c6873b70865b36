// The last step of an import: each written item gets its content hash. Until then an item carries none, so an
// import cut short (its relationships not all written) is redone for those items when it is retried.
UNWIND $rows AS row
MATCH (n:Item {id: row.id})
SET n.hash = row.hash
