// The configuration items located at a site, and whether the site exists.
OPTIONAL MATCH (s:Item:Site {id: $id})
RETURN s IS NOT NULL AS found, [(s)<-[:LOCATED_AT]-(c:ConfigurationItem) | c.id] AS ids
