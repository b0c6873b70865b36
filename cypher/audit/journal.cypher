// The journal after position $after up to the time $until, in order: each entry's position, time and states.
MATCH (a:AuditEntry)
WHERE a.pos > $after AND a.at <= $until
RETURN a.pos AS pos, a.at AS at, a.states AS states
ORDER BY a.pos
