"""Analyses over a loaded subgraph: pure functions, no GraphQL and no driver calls (see ARCHITECTURE.md)."""
