// Every API token, newest first, without its hash.
MATCH (t:ApiToken)
RETURN t.id AS id, t.name AS name, t.role AS role, t.createdAt AS createdAt, t.expiresAt AS expiresAt,
       t.revokedAt AS revokedAt, t.createdBy AS createdBy
ORDER BY t.createdAt DESC, t.id
