// Begin the journal (if the baseline's entries have not already) and say whether it began on existing items.
MERGE (j:Journal {id: 'journal'})
  ON CREATE SET j.pos = 0, j.since = datetime()
SET j.baseline = $baseline
