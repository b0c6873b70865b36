// Write back merged day buckets ($rows: [{ci, day, ms, pct}]): each replaces the day's arrays whole.
UNWIND $rows AS row
MERGE (d:UtilizationDay {ci: row.ci, day: row.day})
SET d.ms = row.ms, d.pct = row.pct
