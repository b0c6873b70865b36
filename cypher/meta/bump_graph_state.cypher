// The dependency graph changed in this transaction: bump its version (see schema/0004_graph_state.cypher).
MERGE (s:GraphState {id: 'dependency-graph'})
SET s.version = coalesce(s.version, 0) + 1
