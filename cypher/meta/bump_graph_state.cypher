// The dependency graph, a business unit, an SLA, a team or a requirement changed in this transaction: bump its version (see
// schema/0004_graph_state.cypher). A new database starts from a random version, so a reset and re-import cannot
// repeat an old fingerprint.
MERGE (s:GraphState {id: 'dependency-graph'})
SET s.version = coalesce(s.version, toInteger(rand() * 1000000000000)) + 1
