// An item's audit entries (not a token's: those are for admins, in the audit log), newest first, a page at a time
// (keyset on (at, seq, id)). An import creating many items (1,000 or more, or a bulk load) records them one entry per
// batch (subject CREATED, their ids in `createdIds`, their stored fields in `afters`): found through the
// audit_created index by `$phrase` (the id quoted for Lucene; null for an id no item can have), and shown as an entry
// of this item's own.
CALL () {
  MATCH (a:AuditEntry {itemId: $id})
  WHERE coalesce(a.subject, 'ITEM') = 'ITEM'
  RETURN a {.id, .at, .seq, .actorId, .actorName, .action, .itemId, .subject, .before, .after} AS props
  UNION ALL
  WITH $phrase AS phrase
  WHERE phrase IS NOT NULL
  CALL db.index.fulltext.queryNodes('audit_created', phrase) YIELD node AS b
  WITH b, split(b.createdIds, ' ') AS ids
  UNWIND [i IN range(0, size(ids) - 1) WHERE ids[i] = $id] AS i
  RETURN b {.at, .seq, .actorId, .actorName, .action, id: b.id + '/' + $id, itemId: $id, subject: 'ITEM',
            before: null, after: b.afters[i]} AS props
}
WITH props
WHERE $before IS NULL OR props.at < $before.at
   OR (props.at = $before.at AND (props.seq < $before.seq OR (props.seq = $before.seq AND props.id < $before.id)))
RETURN props
ORDER BY props.at DESC, props.seq DESC, props.id DESC
LIMIT $limit
