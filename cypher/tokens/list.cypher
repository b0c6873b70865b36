// Every API token, newest first, without its hash. Browser sessions are not listed: each stands for a listed token
// and ends with it.
MATCH (t:ApiToken)
WHERE t.sessionOf IS NULL
RETURN t.id AS id, t.name AS name, t.role AS role, t.createdAt AS createdAt, t.expiresAt AS expiresAt,
       t.revokedAt AS revokedAt, t.createdBy AS createdBy
ORDER BY t.createdAt DESC, t.id
