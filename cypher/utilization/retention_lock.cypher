// Up to $limit raw buckets of $day, locked (a property set, removed before the transaction ends) so that a writer
// merging readings into one waits for the downsampling, or is waited for, and none is lost. Read after this.
MATCH (d:UtilizationDay)
WHERE d.day = $day AND d.ms IS NOT NULL
WITH d LIMIT $limit
SET d.retaining = true
RETURN d.ci AS ci
