// What a discovery run can touch: the items with the seen ids, the items any seen identity (hostname, serial, cloud
// resource id) may name, and the items this source saw before; each with its owner and site.
MATCH (n:Item)
WHERE n.id IN $ids
   OR (n.discovered IS NOT NULL AND n.discovered CONTAINS $sourceKey)
   OR ($identities AND n.attributes IS NOT NULL AND any(k IN $identityKeys WHERE n.attributes CONTAINS k))
OPTIONAL MATCH (n)-[:OWNED_BY]->(o:Item)
OPTIONAL MATCH (n)-[:LOCATED_AT]->(s:Item)
RETURN n.id AS id, n.itemKind AS kind, properties(n) AS props, min(o.id) AS owner, min(s.id) AS site
