// Snapshots older than the one at $pos, with their parts: the states between them and it are pruned, so they no
// longer answer any time the newer one does not.
MATCH (s:EstateSnapshot)
WHERE s.pos < $pos
OPTIONAL MATCH (p:EstateSnapshotPart {pos: s.pos})
DETACH DELETE p, s
RETURN count(DISTINCT s) AS dropped
