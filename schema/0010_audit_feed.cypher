// The event feed (graphsvc/db/audit_feed.py): a write's entries found by its transaction's clock (`tx`).
CREATE INDEX audit_tx IF NOT EXISTS FOR (a:AuditEntry) ON (a.tx);
