// End a browser session at sign-out: its token is deleted and authenticates no one from then on. Only a session:
// an API token itself found in the cookie is left alone.
MATCH (s:ApiToken {hash: $hash})
WHERE s.sessionOf IS NOT NULL
DELETE s
RETURN count(*) AS ended
