// The next journal position for a write that records states. The :Journal node stays locked until the writing
// transaction ends, so positions follow the order of commits; `since` is when recording began.
MERGE (j:Journal {id: 'journal'})
  ON CREATE SET j.pos = 0, j.since = datetime()
SET j.pos = j.pos + 1
RETURN j.pos AS pos
