"""The GraphQL layer (strawberry): types, loaders, query and mutation roots. No Cypher here."""
