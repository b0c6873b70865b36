// Where a prune of the history before $cut stops: the last position P such that every entry up to P was recorded
// before $cut (an entry that took its position earlier but committed its time later bounds it), and the time the
// snapshot at P answers for (its newest entry's time); with the newest complete snapshot, if any.
MATCH (j:Journal {id: 'journal'})
CALL () {
  OPTIONAL MATCH (late:AuditEntry)
  WHERE late.pos > 0 AND late.at >= $cut
  RETURN min(late.pos) AS firstLate
}
WITH coalesce(firstLate - 1, j.pos) AS p
CALL (p) {
  OPTIONAL MATCH (a:AuditEntry)
  WHERE a.pos > 0 AND a.pos <= p
  RETURN max(a.at) AS until, count(a) AS entries
}
CALL () {
  OPTIONAL MATCH (s:EstateSnapshot)
  WHERE s.complete
  RETURN max(s.pos) AS snapshotPos
}
RETURN p AS pos, until, entries, snapshotPos
