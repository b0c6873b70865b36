// Downsampled buckets of $day ($rows: [{ci, hour, hourBp, hourMaxBp, hourN}]): the hours replace the readings; the
// day's sums, made from the readings, stay as they are. Every locked bucket ($cis) is unlocked.
UNWIND $rows AS row
MATCH (d:UtilizationDay {ci: row.ci, day: $day})
SET d.hour = row.hour, d.hourBp = row.hourBp, d.hourMaxBp = row.hourMaxBp, d.hourN = row.hourN,
    d.ms = null, d.bp = null
WITH count(*) AS written
UNWIND $cis AS ci
MATCH (d:UtilizationDay {ci: ci, day: $day})
REMOVE d.retaining
RETURN written
