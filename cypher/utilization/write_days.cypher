// Write back merged day buckets ($rows: [{ci, day, ms, pct, sums}]): each replaces the day's arrays whole, with the
// sums a least-squares fit needs (n, mean t and y, sums of deviations m2 and c; t in days since the day's start) and
// the day's latest reading (domain/readings.DaySums).
UNWIND $rows AS row
MERGE (d:UtilizationDay {ci: row.ci, day: row.day})
SET d.ms = row.ms, d.pct = row.pct, d += row.sums
