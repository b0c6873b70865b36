// Every saved scenario, by id.
MATCH (s:Scenario)
RETURN properties(s) AS props
ORDER BY s.id
