// Delete a saved scenario; its properties as they were, or nothing if there was none.
MATCH (s:Scenario {id: $id})
WITH s, properties(s) AS props
DELETE s
RETURN props
