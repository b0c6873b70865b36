// A browser session for the token $parent: a token of its own (only its hash stored) that stands for $parent until
// it expires, is ended at sign-out, or $parent is revoked or expires. The parent's expired sessions are dropped.
MATCH (p:ApiToken {id: $parent})
WHERE p.sessionOf IS NULL
CALL (p) {
  MATCH (old:ApiToken {sessionOf: p.id})
  WHERE old.expiresAt <= datetime()
  DELETE old
}
CREATE (s:ApiToken {id: $id, name: p.name, role: p.role, hash: $hash, createdAt: datetime(), expiresAt: $expiresAt,
                    createdBy: p.id, sessionOf: p.id})
RETURN s.id AS id
