// The dependency edges cost flows along, [from, to, weight] with what is depended on first. An edge to a retired
// item is dropped by the allocation (its end is not among the nodes), so no status is read here.
MATCH (a:Item)-[r:DEPENDS_ON]->(b:Item)
RETURN collect([b.id, a.id, coalesce(r.weight, 1.0)]) AS deps
