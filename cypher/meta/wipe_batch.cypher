// Delete a batch of items (used by `db reset` of an external database and by tests); returns how many went.
MATCH (n)
WHERE NOT n:SchemaMigration
WITH n LIMIT $batch
DETACH DELETE n
RETURN count(*) AS deleted
