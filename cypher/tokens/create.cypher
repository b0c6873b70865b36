// A new API token; only its hash is stored.
CREATE (t:ApiToken {id: $id, name: $name, role: $role, hash: $hash, createdAt: datetime(), expiresAt: $expiresAt,
                    createdBy: $createdBy})
RETURN properties(t) AS props
