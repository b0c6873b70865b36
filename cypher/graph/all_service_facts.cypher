// graph/service_facts for every service at once: what impacts expose, kept in memory beside the dependency graph
// (usecases/graph_cache.py). Read alongside the graph, so RETIRED services are in it too (never asked for).
MATCH (s:Item:Service)
RETURN s.id AS id,
       [(s)<-[:CONSUMES]-(b:BusinessUnit) | properties(b)] AS consumers,
       [(s)<-[:COVERS]-(a:SLA) | {sla: properties(a), units: [(a)-[:AGREED_WITH]->(u:BusinessUnit) | properties(u)]}] AS slas,
       [(s)-[:OWNED_BY]->(t:Team) | properties(t)] AS owners,
       [(s)-[:SATISFIES]->(:Requirement)-[:REFINES*0..]->(q:Requirement) | properties(q)] AS requirements
