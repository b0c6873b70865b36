// The first start of a local server: replace the default password (run against the system database).
ALTER CURRENT USER SET PASSWORD FROM 'neo4j' TO $new
