// Utilization day buckets kept compact (domain/readings.py, domain/retention.py): percents as whole hundredths of a
// percent in an integer array (`bp`, 0..10000), which Neo4j packs to 14 bits a value where a float array takes 64;
// days past GRAPHSVC_UTILIZATION_RAW_DAYS keep hourly means, maxima and counts (`hour`, `hourBp`, `hourMaxBp`,
// `hourN`) once `graphsvc prune-utilization` has run. The buckets written before (float `pct`) are rewritten here, a
// batch a transaction; a bucket already rewritten has no `pct`, so running this again changes nothing.
MATCH (d:UtilizationDay) WHERE d.pct IS NOT NULL
CALL (d) {
  SET d.bp = [p IN d.pct | toInteger(floor(p * 100 + 0.5))], d.lastPct = toInteger(floor(d.lastPct * 100 + 0.5)) / 100.0
  REMOVE d.pct
} IN TRANSACTIONS OF 2000 ROWS;
// The retention run finds a day's raw buckets through the day index (0011); nothing more to index.
