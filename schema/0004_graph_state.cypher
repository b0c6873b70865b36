// One node carries the dependency graph's version: every graphsvc write that can change the graph bumps it in the
// same transaction, so a server's in-memory copy of the graph knows when it is stale.
CREATE CONSTRAINT graph_state_id IF NOT EXISTS FOR (s:GraphState) REQUIRE s.id IS UNIQUE;
