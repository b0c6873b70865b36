// The day buckets of CIs ($cis, or every CI when null) from $first to $last (dates, inclusive), by CI then day.
MATCH (d:UtilizationDay)
WHERE d.day >= $first AND d.day <= $last AND ($cis IS NULL OR d.ci IN $cis)
RETURN d.ci AS ci, d.day AS day, d.ms AS ms, d.pct AS pct
ORDER BY d.ci, d.day
