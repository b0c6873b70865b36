// One saved scenario.
MATCH (s:Scenario {id: $id})
RETURN properties(s) AS props
