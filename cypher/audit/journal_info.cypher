// Where the journal stands: its last position and when recording began (null: nothing recorded yet), and the
// newest snapshot taken at or before $until whose entries are all at or before it.
OPTIONAL MATCH (j:Journal {id: 'journal'})
CALL (j) {
  OPTIONAL MATCH (s:EstateSnapshot)
  WHERE s.until <= $until
  RETURN s ORDER BY s.pos DESC LIMIT 1
}
RETURN j.pos AS pos, j.since AS since, j.baseline AS baseline, s.pos AS snapshotPos, s.data AS snapshot
