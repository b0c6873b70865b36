// A bulk load ($load, a fresh id) is about to write, from $since (its time): until it finishes, the items it writes
// carry content hashes of what they will be once their relationships are written. Removed by unmark_load.cypher
// when it has finished. `$tx`: the clock its audit entries share (graphsvc/db/audit.py Audit.tx), by which the next
// import finds the items it touched if it stops part-way, and records their journal states as the load's (who and
// which action).
MERGE (s:GraphState {id: 'bulk-load'})
SET s.since = $since, s.load = $load, s.tx = $tx, s.actorId = $actorId, s.actorName = $actorName, s.action = $action
