// Incidents opened in [$from, $to), with what each affects.
MATCH (i:Incident)
WHERE i.openedAt >= $from AND i.openedAt < $to
RETURN properties(i) AS props, [(i)-[:AFFECTS]->(x) | x.id] AS affects
ORDER BY i.openedAt, i.id
