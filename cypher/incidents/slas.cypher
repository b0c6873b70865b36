// Every SLA with the service it covers and the business unit it is agreed with.
MATCH (a:SLA)
RETURN properties(a) AS sla, [(a)-[:COVERS]->(s:Service) | properties(s)][0] AS service,
       [(a)-[:AGREED_WITH]->(b:BusinessUnit) | properties(b)][0] AS unit
ORDER BY a.id
