// Relationships of one type from items the document does not describe: upserted one by one. The source's
// import hash is cleared, so a later import that describes it replaces its relationships for sure.
UNWIND $rows AS row
MATCH (a:Item {id: row.from})
MATCH (b:Item {id: row.to})
MERGE (a)-[r:{{rel}}]->(b)
SET r = row.props, a.hash = null
