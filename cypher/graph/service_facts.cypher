// For each service: who consumes it, the SLAs on it (with their business unit), its owner, and the requirements
// it satisfies with all their ancestors through REFINES.
UNWIND $ids AS sid
MATCH (s:Item:Service {id: sid})
RETURN sid AS id,
       [(s)<-[:CONSUMES]-(b:BusinessUnit) | properties(b)] AS consumers,
       [(s)<-[:COVERS]-(a:SLA) | {sla: properties(a), units: [(a)-[:AGREED_WITH]->(u:BusinessUnit) | properties(u)]}] AS slas,
       [(s)-[:OWNED_BY]->(t:Team) | properties(t)] AS owners,
       [(s)-[:SATISFIES]->(:Requirement)-[:REFINES*0..]->(q:Requirement) | properties(q)] AS requirements
