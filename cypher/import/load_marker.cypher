// When a bulk load that did not finish began (null if none): it was cut short (graphsvc/db/importer.py `_cut_load`),
// and the content hashes of what it wrote are not to be trusted.
OPTIONAL MATCH (s:GraphState {id: 'bulk-load'})
RETURN s.since AS since
