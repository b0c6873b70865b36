// Write back merged day buckets ($rows: [{ci, day, ms, bp, hourBp, hourN, sums}]): each replaces the day's arrays
// whole, a raw bucket's (ms since the day's start, hundredths of a percent) or a downsampled one's (the 24 hours'
// means then maxima, and their counts), the other's set to null (removed), with the sums a least-squares fit needs
// (n, mean t and y, sums of deviations m2 and c; t in days since the day's start) and the day's latest reading
// (domain/readings.DaySums).
UNWIND $rows AS row
MERGE (d:UtilizationDay {ci: row.ci, day: row.day})
SET d.ms = row.ms, d.bp = row.bp, d.hourBp = row.hourBp, d.hourN = row.hourN, d += row.sums
