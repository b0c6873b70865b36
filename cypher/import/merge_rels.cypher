// Relationships of one type from items the document does not describe: upserted one by one.
UNWIND $rows AS row
MATCH (a:Item {id: row.from})
MATCH (b:Item {id: row.to})
MERGE (a)-[r:{{rel}}]->(b)
SET r = row.props
