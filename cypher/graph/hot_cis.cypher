// Live configuration items whose utilization exceeds the threshold, hottest first.
MATCH (c:ConfigurationItem)
WHERE c.utilization > $threshold AND (c.status IS NULL OR c.status <> 'RETIRED')
RETURN properties(c) AS props
ORDER BY c.utilization DESC, c.id
