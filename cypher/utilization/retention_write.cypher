// Downsampled buckets of $day ($rows: [{ci, hourBp, hourN}]): the hours replace the readings; the
// day's sums, made from the readings, stay as they are. Every locked bucket ($cis) is unlocked.
UNWIND $rows AS row
MATCH (d:UtilizationDay {ci: row.ci, day: $day})
SET d.hourBp = row.hourBp, d.hourN = row.hourN, d.ms = null, d.bp = null
WITH count(*) AS written
UNWIND $cis AS ci
MATCH (d:UtilizationDay {ci: ci, day: $day})
REMOVE d.retaining
RETURN written
