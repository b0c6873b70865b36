// Attribute incidents to a problem: each incident's previous attribution, if any, is replaced.
UNWIND $incidents AS iid
MATCH (i:Item:Incident {id: iid})
MATCH (p:Item:Problem {id: $problem})
OPTIONAL MATCH (i)-[old:ATTRIBUTED_TO]->()
DELETE old
WITH i, p
CREATE (i)-[:ATTRIBUTED_TO {i: 0}]->(p)
SET i.version = coalesce(i.version, 0) + 1, i.updatedAt = datetime(), i.hash = null
RETURN count(*) AS linked
