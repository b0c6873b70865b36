"""The only package that imports the neo4j driver: Cypher registry, connection, repositories."""
