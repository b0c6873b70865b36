// Incidents open at some moment of [$from, $to): opened before its end and not resolved before its start.
MATCH (i:Incident)
WHERE i.openedAt < $to AND (i.resolvedAt IS NULL OR i.resolvedAt > $from)
RETURN properties(i) AS props, [(i)-[:AFFECTS]->(x) | x.id] AS affects
ORDER BY i.openedAt, i.id
