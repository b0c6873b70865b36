// One part of a snapshot being written.
CREATE (:EstateSnapshotPart {pos: $pos, part: $part, data: $data})
