// Changes by id, with what they modify (in listing order) and their release.
UNWIND $ids AS id
MATCH (c:Item:Change {id: id})
RETURN properties(c) AS props, [(c)-[r:MODIFIES]->(x) | [r.i, x.id]] AS modifies,
       [(c)-[:PART_OF]->(rel:Release) | rel.id][0] AS release
