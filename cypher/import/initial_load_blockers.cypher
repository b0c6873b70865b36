// What a database holds that an initial load (db/initial_load.py) would destroy: every node but the bookkeeping an
// empty, migrated database has (applied migrations, graph versions, the journal's head), counted by label. Empty: none.
MATCH (n)
WHERE NOT n:SchemaMigration AND NOT n:GraphState AND NOT n:Journal
WITH n LIMIT 100000
UNWIND labels(n) AS label
RETURN label, count(*) AS nodes
ORDER BY label
