// The event feed: the journal positions after $after, in commit order, with what groups them into writes (the
// transaction's time, who and which action); a write that records states several times has several positions.
MATCH (a:AuditEntry)
WHERE a.pos > $after
RETURN a.pos AS pos, a.tx AS tx, a.at AS at, a.actorId AS actorId, a.actorName AS actorName,
       a.action AS action
ORDER BY a.pos
LIMIT $limit
