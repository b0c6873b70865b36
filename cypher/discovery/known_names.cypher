// What a trace's service names may name: every service and configuration item not retired, with its name and its
// attributes (a CI's `service.name` is among them).
MATCH (n:Item)
WHERE n.itemKind IN $kinds AND coalesce(n.status, 'ACTIVE') <> $retired
RETURN n.id AS id, n.name AS name, n.attributes AS attributes
ORDER BY n.id
