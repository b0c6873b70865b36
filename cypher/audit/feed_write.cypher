// The event feed: the item entries of one write (its transaction's clock, actor and action), in the order recorded,
// at most $limit of them, and how many there are in all. A batch of created items recorded as one entry (subject
// CREATED: an import's, db/audit.py created_entry) counts as each of its items: it comes back as its first ids and
// their stored fields (`ids`, `afters`), as many as are still wanted after the entries before it. A bulk import is
// one write of as many entries as items it updated: the count streams, and only the first $limit entries are
// collected (each has one item or more).
CALL () {
  MATCH (a:AuditEntry)
  WHERE a.tx = $tx AND a.actorId = $actorId AND a.action = $action
    AND coalesce(a.subject, 'ITEM') IN ['ITEM', 'CREATED']
  RETURN sum(CASE a.subject WHEN 'CREATED' THEN size([i IN split(a.createdIds, ' ') WHERE i <> '']) ELSE 1 END)
         AS total
}
CALL () {
  MATCH (a:AuditEntry)
  WHERE a.tx = $tx AND a.actorId = $actorId AND a.action = $action
    AND coalesce(a.subject, 'ITEM') IN ['ITEM', 'CREATED']
  WITH a ORDER BY a.at, a.seq LIMIT $limit
  WITH collect({e: a,
                n: CASE a.subject WHEN 'CREATED' THEN size([i IN split(a.createdIds, ' ') WHERE i <> '']) ELSE 1 END})
       AS found
  // the entries the first $limit items come from, with how many items each still gives
  WITH reduce(acc = {wanted: $limit, take: []}, f IN found |
    CASE WHEN acc.wanted <= 0 THEN acc
         ELSE {wanted: acc.wanted - f.n,
               take: acc.take + [{e: f.e, k: CASE WHEN f.n < acc.wanted THEN f.n ELSE acc.wanted END}]}
    END) AS head
  RETURN [t IN head.take |
           CASE t.e.subject WHEN 'CREATED' THEN {ids: split(t.e.createdIds, ' ')[..t.k], afters: t.e.afters[..t.k]}
                            ELSE {itemId: t.e.itemId, before: t.e.before, after: t.e.after} END] AS entries
}
RETURN entries, total
