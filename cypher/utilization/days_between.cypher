// The day buckets of CIs ($cis, or every CI when null) from $first to $last (dates, inclusive), by CI then day: a raw
// bucket's readings, or a downsampled one's hourly means and counts.
MATCH (d:UtilizationDay)
WHERE d.day >= $first AND d.day <= $last AND ($cis IS NULL OR d.ci IN $cis)
RETURN d.ci AS ci, d.day AS day, d.ms AS ms, d.bp AS bp, d.hourBp AS hourBp, d.hourN AS hourN
ORDER BY d.ci, d.day
