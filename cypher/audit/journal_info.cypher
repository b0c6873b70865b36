// Where the journal stands: its last position and when recording began (null: nothing recorded yet); the oldest
// time the kept history answers for (the earliest complete snapshot's: the states before it were pruned); and the
// newest complete snapshot usable for $until (every entry it holds is at or before $until).
OPTIONAL MATCH (j:Journal {id: 'journal'})
CALL (j) {
  OPTIONAL MATCH (s:EstateSnapshot)
  WHERE s.complete AND s.until <= $until
  RETURN s ORDER BY s.pos DESC LIMIT 1
}
CALL () {
  OPTIONAL MATCH (o:EstateSnapshot)
  WHERE o.complete
  RETURN min(o.until) AS prunedUntil
}
RETURN j.pos AS pos, j.since AS since, j.baseline AS baseline, s.pos AS snapshotPos, prunedUntil
