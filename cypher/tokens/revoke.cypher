// Revoke a token (idempotent: a revoked token keeps its first revocation time).
MATCH (t:ApiToken {id: $id})
SET t.revokedAt = coalesce(t.revokedAt, datetime())
RETURN t.id AS id, t.name AS name, t.role AS role, t.createdAt AS createdAt, t.expiresAt AS expiresAt,
       t.revokedAt AS revokedAt, t.createdBy AS createdBy
