// Snapshots of the estate (graphsvc/db/journal.py, `prune`): pruning the history before a time keeps one snapshot of
// the estate there, written in parts (:EstateSnapshotPart, a few thousand items' states each) read by position.
CREATE INDEX estate_snapshot_part_pos IF NOT EXISTS FOR (p:EstateSnapshotPart) ON (p.pos, p.part);
