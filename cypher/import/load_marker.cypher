// The mark of a bulk load that did not finish (graphsvc/db/importer.py `_after_cut_load`): when it began, which load
// it was, the clock its audit entries share and who wrote it; none if no load was cut short. The content hashes of
// what that load wrote are not to be trusted.
OPTIONAL MATCH (s:GraphState {id: 'bulk-load'})
RETURN s.since AS since, s.load AS load, s.tx AS tx, s.actorId AS actorId, s.actorName AS actorName,
       s.action AS action
