// Changes in the given statuses planned to start in [$from, $to).
MATCH (c:Change)
WHERE c.status IN $statuses AND c.plannedStart >= $from AND c.plannedStart < $to
RETURN properties(c) AS props, [(c)-[r:MODIFIES]->(x) | [r.i, x.id]] AS modifies,
       [(c)-[:PART_OF]->(rel:Release) | rel.id][0] AS release
ORDER BY c.plannedStart, c.id
