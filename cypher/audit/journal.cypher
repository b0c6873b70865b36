// The journal after position $after (and up to position $through, if given) up to the time $until, in order: each
// entry's position, time and states.
MATCH (a:AuditEntry)
WHERE a.pos > $after AND a.at <= $until AND ($through IS NULL OR a.pos <= $through)
RETURN a.pos AS pos, a.at AS at, a.states AS states
ORDER BY a.pos
