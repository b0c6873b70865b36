"""Domain models and the graph vocabulary: no neo4j, no strawberry."""
