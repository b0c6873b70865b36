// Which part of the journal a time sees: the last position and the number of entries recorded at or before $until
// (together they name the estate as of that time, for the server's small cache of past estates).
MATCH (a:AuditEntry)
WHERE a.pos > 0 AND a.at <= $until
RETURN max(a.pos) AS pos, count(a) AS entries
