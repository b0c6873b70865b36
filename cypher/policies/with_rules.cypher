// Policies whose rule is of one of the given types, with the ids they govern.
MATCH (p:Policy)
WHERE p.ruleType IN $types
RETURN properties(p) AS props, [(p)-[:GOVERNS]->(x) | x.id] AS governs
ORDER BY p.id
