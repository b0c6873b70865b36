// What a discovery run can touch: the items with the seen ids (by the id index), the items this source saw before,
// and, when the run names any, the items whose attributes carry an identity (hostname, serial, cloud resource id);
// each with its owner and site.
CALL () {
  UNWIND $ids AS id
  MATCH (n:Item {id: id})
  RETURN n
  UNION
  MATCH (n:Item)
  WHERE n.discovered IS NOT NULL AND n.discovered CONTAINS $sourceKey
  RETURN n
  UNION
  MATCH (n:Item)
  WHERE $identities AND n.attributes IS NOT NULL AND any(k IN $identityKeys WHERE n.attributes CONTAINS k)
  RETURN n
}
OPTIONAL MATCH (n)-[:OWNED_BY]->(o:Item)
OPTIONAL MATCH (n)-[:LOCATED_AT]->(s:Item)
RETURN n.id AS id, n.itemKind AS kind, properties(n) AS props, min(o.id) AS owner, min(s.id) AS site
