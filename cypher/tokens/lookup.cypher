// The token with this hash, if any (revoked and expired ones too: the caller decides and says why). A browser
// session (sessionOf set) comes with the token it stands for, which must still be usable too.
MATCH (t:ApiToken {hash: $hash})
OPTIONAL MATCH (p:ApiToken {id: t.sessionOf})
RETURN t.id AS id, t.name AS name, t.role AS role, t.expiresAt AS expiresAt, t.revokedAt AS revokedAt,
       t.sessionOf AS sessionOf, p.id AS parentId, p.name AS parentName, p.role AS parentRole,
       p.expiresAt AS parentExpiresAt, p.revokedAt AS parentRevokedAt
