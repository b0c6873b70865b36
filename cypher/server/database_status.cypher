// The default database's state, from the system database: online yet, or why not.
SHOW DATABASE neo4j YIELD currentStatus, statusMessage
