// What says whether an in-memory copy of the dependency graph is current: the version graphsvc's writes bump, and
// counts read from Neo4j's count store (constant time), which also move when others add or delete things.
OPTIONAL MATCH (s:GraphState {id: 'dependency-graph'})
CALL () { MATCH (n:Service) RETURN count(n) AS services }
CALL () { MATCH (n:ConfigurationItem) RETURN count(n) AS cis }
CALL () { MATCH (n:RedundancyGroup) RETURN count(n) AS groups }
CALL () { MATCH ()-[r:DEPENDS_ON]->() RETURN count(r) AS deps }
CALL () { MATCH ()-[r:HAS_MEMBER]->() RETURN count(r) AS members }
RETURN s.version AS version, services + cis + groups AS items, deps, members
