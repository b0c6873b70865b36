// The states the snapshot at $pos holds, dropped from the entries at or before it (the audit entries themselves stay:
// the audit trail is not pruned), and the older snapshots with their parts. Run as its own auto-commit query, in
// batches; returns the entries and bytes freed.
CALL () {
  MATCH (a:AuditEntry)
  WHERE a.pos > 0 AND a.pos <= $pos AND a.states IS NOT NULL
  RETURN a
} CALL (a) {
  WITH a, size(a.states) AS bytes
  REMOVE a.states
  RETURN bytes
} IN TRANSACTIONS OF 500 ROWS
RETURN count(bytes) AS entries, sum(bytes) AS bytes
