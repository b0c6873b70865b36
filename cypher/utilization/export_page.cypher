// A page of every day bucket in (ci, day) order after the key ($after: {ci, day}, or null), for the export.
MATCH (d:UtilizationDay)
WHERE $after IS NULL OR d.ci > $after.ci OR (d.ci = $after.ci AND d.day > $after.day)
RETURN d.ci AS ci, d.day AS day, d.ms AS ms, d.pct AS pct
ORDER BY d.ci, d.day
LIMIT $limit
