// A bulk load finished (or what a cut-short one wrote was dealt with): its items' hashes can be trusted.
MATCH (s:GraphState {id: 'bulk-load'})
DELETE s
