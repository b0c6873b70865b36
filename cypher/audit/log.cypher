// The audit log since a time (not the import's STATE entries: their states are for the estate's journal), optionally one actor's (token id or name), newest first, a page at a time.
MATCH (a:AuditEntry)
WHERE a.at >= $since AND coalesce(a.subject, 'ITEM') <> 'STATE'
  AND ($actor IS NULL OR a.actorId = $actor OR a.actorName = $actor)
  AND ($before IS NULL OR a.at < $before.at
       OR (a.at = $before.at AND (a.seq < $before.seq OR (a.seq = $before.seq AND a.id < $before.id))))
RETURN a {.id, .at, .seq, .actorId, .actorName, .action, .itemId, .subject, .before, .after} AS props
ORDER BY a.at DESC, a.seq DESC, a.id DESC
LIMIT $limit
