// Changes carried out (IMPLEMENTED or FAILED) at a time in [$from, $to]: implementedAt, else plannedEnd.
MATCH (c:Change)
WHERE c.status IN ['IMPLEMENTED', 'FAILED'] AND coalesce(c.implementedAt, c.plannedEnd) >= $from
  AND coalesce(c.implementedAt, c.plannedEnd) <= $to
RETURN properties(c) AS props, [(c)-[r:MODIFIES]->(x) | [r.i, x.id]] AS modifies,
       [(c)-[:PART_OF]->(rel:Release) | rel.id][0] AS release
ORDER BY c.id
