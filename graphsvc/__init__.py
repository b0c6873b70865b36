"""graphsvc: a CMDB kept as a graph in Neo4j, with IT service management analyses over GraphQL."""

__all__ = ["__version__"]

__version__ = "0.1.0"
