// The audit log since a time, optionally one actor's (token id or name), newest first, a page at a time.
MATCH (a:AuditEntry)
WHERE a.at >= $since AND ($actor IS NULL OR a.actorId = $actor OR a.actorName = $actor)
  AND ($before IS NULL OR a.at < $before.at
       OR (a.at = $before.at AND (a.seq < $before.seq OR (a.seq = $before.seq AND a.id < $before.id))))
RETURN properties(a) AS props
ORDER BY a.at DESC, a.seq DESC, a.id DESC
LIMIT $limit
