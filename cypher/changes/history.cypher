// For each item: incidents affecting it opened in [$incidentsSince, $until), and FAILED changes that modified
// it, failed (implementedAt, else plannedEnd) in [$changesSince, $until). A null bound means no bound.
UNWIND $ids AS id
MATCH (x:Item {id: id})
RETURN id,
       [(x)<-[:AFFECTS]-(i:Incident)
         WHERE ($incidentsSince IS NULL OR i.openedAt >= $incidentsSince) AND ($until IS NULL OR i.openedAt < $until)
         | i.id] AS incidents,
       [(x)<-[:MODIFIES]-(c:Change)
         WHERE c.status = 'FAILED'
           AND ($changesSince IS NULL OR coalesce(c.implementedAt, c.plannedEnd) >= $changesSince)
           AND ($until IS NULL OR coalesce(c.implementedAt, c.plannedEnd) < $until)
         | c.id] AS failed
