// The incidents alerts opened, by fingerprint: their ids start INC-AM-<fingerprint>- (graphsvc/domain/alerts.py), so
// each prefix is a range seek on the unique id's index. With the item each affects first.
UNWIND $prefixes AS prefix
MATCH (n:Item)
WHERE n.id STARTS WITH prefix AND n.itemKind = 'INCIDENT'
RETURN prefix, n.id AS id, n.status AS status, n.openedAt AS openedAt,
       [(n)-[r:AFFECTS]->(m) | [coalesce(r.i, 0), m.id]] AS affects
