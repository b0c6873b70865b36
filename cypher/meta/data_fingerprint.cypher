// What says whether a kept browse answer is current (graphsvc/graphql/response_cache.py). Every graphsvc write
// records audit entries in its own transaction, so their count and the newest one's time move with each of them
// (the time also tells a wiped and reloaded database from the one before); the counts of items and relationships
// also move when they are added or deleted behind graphsvc. Counts come from the count store and the newest entry
// from the audit_at index: constant time.
CALL () { MATCH (a:AuditEntry) RETURN count(a) AS entries }
CALL () {
  OPTIONAL MATCH (a:AuditEntry) WHERE a.at IS NOT NULL
  WITH a ORDER BY a.at DESC LIMIT 1
  RETURN toString(a.at) AS latest
}
CALL () { MATCH (n:Item) RETURN count(n) AS items }
CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships }
RETURN entries, latest, items, relationships
