// What says whether an in-memory copy of the dependency graph (and of what an impact exposes: owners, consumers,
// SLAs, requirements) is current: the version graphsvc's writes bump, and counts read from Neo4j's count store
// (constant time), which also move when others add or delete things.
OPTIONAL MATCH (s:GraphState {id: 'dependency-graph'})
CALL () { MATCH (n:Service) RETURN count(n) AS services }
CALL () { MATCH (n:ConfigurationItem) RETURN count(n) AS cis }
CALL () { MATCH (n:RedundancyGroup) RETURN count(n) AS groups }
CALL () { MATCH ()-[r:DEPENDS_ON]->() RETURN count(r) AS deps }
CALL () { MATCH ()-[r:HAS_MEMBER]->() RETURN count(r) AS members }
CALL () { MATCH (n:Team) RETURN count(n) AS teams }
CALL () { MATCH (n:SLA) RETURN count(n) AS slas }
CALL () { MATCH (n:Requirement) RETURN count(n) AS requirements }
CALL () { MATCH (n:BusinessUnit) RETURN count(n) AS units }
CALL () { MATCH ()-[r:OWNED_BY]->() RETURN count(r) AS owned }
CALL () { MATCH ()-[r:CONSUMES]->() RETURN count(r) AS consumes }
CALL () { MATCH ()-[r:COVERS]->() RETURN count(r) AS covers }
CALL () { MATCH ()-[r:AGREED_WITH]->() RETURN count(r) AS agreed }
CALL () { MATCH ()-[r:SATISFIES]->() RETURN count(r) AS satisfies }
CALL () { MATCH ()-[r:REFINES]->() RETURN count(r) AS refines }
RETURN s.version AS version, services + cis + groups AS items, deps, members,
       [teams, slas, requirements, units, owned, consumes, covers, agreed, satisfies, refines] AS exposure
