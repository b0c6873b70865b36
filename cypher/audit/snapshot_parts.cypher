// A snapshot's parts, in order: each the states of a few thousand items (journal JSON).
MATCH (p:EstateSnapshotPart {pos: $pos})
RETURN p.data AS data
ORDER BY p.part
