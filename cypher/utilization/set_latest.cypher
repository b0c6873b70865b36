// A CI's `utilization` becomes its latest reading when that reading is newer than the latest one stored
// (`utilizationAt`); the import hash is cleared (the stored content changed). Returns the CIs changed, before and after.
UNWIND $rows AS row
MATCH (c:ConfigurationItem {id: row.ci})
WHERE c.utilizationAt IS NULL OR c.utilizationAt < datetime(row.at)
WITH c, row, properties(c) AS before
SET c.utilization = row.percent, c.utilizationAt = datetime(row.at), c.hash = null
RETURN c.id AS id, before, properties(c) AS after
