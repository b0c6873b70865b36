// Every requirement with its metrics, the services that satisfy it (with their status) and the requirements
// that refine it (its children).
MATCH (r:Requirement)
RETURN properties(r) AS props,
       [(r)<-[:MEASURES]-(m:Metric) | [m.id, m.target, m.comparator, m.current]] AS metrics,
       [(r)<-[:SATISFIES]-(s:Service) | [s.id, coalesce(s.status, 'ACTIVE')]] AS services,
       [(r)<-[:REFINES]-(c:Requirement) | c.id] AS children
ORDER BY r.id
