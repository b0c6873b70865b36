// A page of every day bucket in (ci, day) order after the key ($after: {ci, day}, or null), for the export: a raw
// bucket's readings, or a downsampled one's hourly means.
MATCH (d:UtilizationDay)
WHERE $after IS NULL OR d.ci > $after.ci OR (d.ci = $after.ci AND d.day > $after.day)
RETURN d.ci AS ci, d.day AS day, d.ms AS ms, d.bp AS bp, d.hourBp AS hourBp, d.hourN AS hourN
ORDER BY d.ci, d.day
LIMIT $limit
