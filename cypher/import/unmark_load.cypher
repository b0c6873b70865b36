// A bulk load finished (or what a cut-short one wrote was dealt with): its items' hashes can be trusted. Only its own
// mark ($load): a load that lost the import lock while it wrote must not take away the mark of the one after it.
MATCH (s:GraphState {id: 'bulk-load'})
WHERE s.load = $load
DELETE s
