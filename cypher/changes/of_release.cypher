// Whether the release exists, and its changes.
OPTIONAL MATCH (r:Item:Release {id: $id})
OPTIONAL MATCH (r)<-[:PART_OF]-(c:Change)
WITH r, c ORDER BY c.id
RETURN r IS NOT NULL AS found, collect(c.id) AS ids
