// Relationships of one type; `props` holds the relationship's own properties (order, weight, share, ...).
UNWIND $rows AS row
MATCH (a:Item {id: row.from})
MATCH (b:Item {id: row.to})
CREATE (a)-[r:{{rel}}]->(b)
SET r = row.props
