// Changes in the given statuses whose planned window overlaps [$from, $to).
MATCH (c:Change)
WHERE c.status IN $statuses AND c.plannedStart < $to AND c.plannedEnd > $from
RETURN properties(c) AS props, [(c)-[r:MODIFIES]->(x) | [r.i, x.id]] AS modifies,
       [(c)-[:PART_OF]->(rel:Release) | rel.id][0] AS release
ORDER BY c.id
