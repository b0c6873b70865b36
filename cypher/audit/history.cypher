// An item's audit entries (not a token's: those are for admins, in the audit log), newest first, a page at a time (keyset on (at, seq, id)).
MATCH (a:AuditEntry {itemId: $id})
WHERE coalesce(a.subject, 'ITEM') = 'ITEM'
  AND ($before IS NULL OR a.at < $before.at
   OR (a.at = $before.at AND (a.seq < $before.seq OR (a.seq = $before.seq AND a.id < $before.id))))
RETURN a {.id, .at, .seq, .actorId, .actorName, .action, .itemId, .subject, .before, .after} AS props
ORDER BY a.at DESC, a.seq DESC, a.id DESC
LIMIT $limit
