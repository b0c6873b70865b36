// Imports take this lock before they look at what is stored, so that two imports run one after the other and the
// second plans against what the first wrote (no update written twice, no deadlock between them). A GraphState
// node, so that its id is unique (schema/0004_graph_state.cypher) and two first MERGEs cannot make two.
// Returns the database's time once the lock is held: the import's time.
MERGE (s:GraphState {id: 'import'})
SET s._lock = true
REMOVE s._lock
RETURN datetime() AS now
