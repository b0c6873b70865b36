// API tokens (stored as a SHA-256 hash, never in clear) and the audit trail of every write.
CREATE CONSTRAINT api_token_id IF NOT EXISTS FOR (t:ApiToken) REQUIRE t.id IS UNIQUE;
CREATE CONSTRAINT api_token_hash IF NOT EXISTS FOR (t:ApiToken) REQUIRE t.hash IS UNIQUE;
CREATE INDEX audit_item IF NOT EXISTS FOR (a:AuditEntry) ON (a.itemId, a.at);
CREATE INDEX audit_at IF NOT EXISTS FOR (a:AuditEntry) ON (a.at);
