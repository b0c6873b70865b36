// A snapshot being written (not used until complete); an unfinished one left by an earlier prune is removed first.
OPTIONAL MATCH (old:EstateSnapshot)
WHERE NOT old.complete
OPTIONAL MATCH (part:EstateSnapshotPart {pos: old.pos})
DETACH DELETE part, old
WITH count(*) AS cleared
CREATE (:EstateSnapshot {pos: $pos, until: $until, complete: false, items: $items, takenAt: datetime()})
