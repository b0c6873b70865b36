"""Who may do what: API tokens with roles, their check on every request, and the per-field role table."""
