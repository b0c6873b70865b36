// The token with this hash, if any (revoked and expired ones too: the caller decides and says why).
MATCH (t:ApiToken {hash: $hash})
RETURN t.id AS id, t.name AS name, t.role AS role, t.expiresAt AS expiresAt, t.revokedAt AS revokedAt
