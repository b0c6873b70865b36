// The snapshot at $pos is whole: from now on the history before it is answered from it.
MATCH (s:EstateSnapshot {pos: $pos})
SET s.complete = true
RETURN s.pos AS pos
