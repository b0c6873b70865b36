// The dependency edges cost flows along, as columns: edge i flows from dep_sources[i] (what is depended on) to
// dep_targets[i] with dep_weights[i]. An edge to a retired item is dropped by the allocation (its end is not among
// the nodes), so no status is read here.
MATCH (a:Item)-[r:DEPENDS_ON]->(b:Item)
RETURN collect(b.id) AS dep_sources, collect(a.id) AS dep_targets, collect(coalesce(r.weight, 1.0)) AS dep_weights
