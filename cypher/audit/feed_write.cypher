// The event feed: the item entries of one write (its transaction's clock, actor and action), in the order recorded,
// at most $limit of them, and how many there are in all.
MATCH (a:AuditEntry)
WHERE a.tx = $tx AND a.actorId = $actorId AND a.action = $action
  AND coalesce(a.subject, 'ITEM') = 'ITEM'
WITH a ORDER BY a.at, a.seq
WITH collect(a) AS found
RETURN [e IN found[..$limit] | e {.itemId, .before, .after}] AS entries, size(found) AS total
