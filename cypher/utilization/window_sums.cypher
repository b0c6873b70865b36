// Every CI's day buckets from $first to $last (dates, inclusive), for the capacity forecast: the stored sums of each,
// and the readings themselves (or, of a downsampled day, its hourly means) only of the days the window cuts ($first,
// and $last when it holds readings after $lastMs, the window's end).
MATCH (d:UtilizationDay)
WHERE d.day >= $first AND d.day <= $last
WITH d, d.day = $first OR (d.day = $last AND d.lastMs > $lastMs) AS cut
RETURN d.ci AS ci, d.day AS day, d.n AS n, d.mt AS mt, d.my AS my, d.m2 AS m2, d.c AS c,
       d.lastMs AS lastMs, d.lastPct AS lastPct,
       CASE WHEN cut THEN d.ms END AS ms, CASE WHEN cut THEN d.bp END AS bp,
       CASE WHEN cut THEN d.hourBp END AS hourBp, CASE WHEN cut THEN d.hourN END AS hourN
