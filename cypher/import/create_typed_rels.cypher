// Relationships of any types, each row's `type` from the vocabulary (an import's: one statement, planned once, for
// all of them); `props` holds the relationship's own properties (order, weight, share, ...). As create_rels.cypher.
UNWIND $rows AS row
MATCH (a:Item {id: row.from})
MATCH (b:Item {id: row.to})
CREATE (a)-[r:$(row.type)]->(b)
SET r = row.props
