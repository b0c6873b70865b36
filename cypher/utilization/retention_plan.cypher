// The raw day buckets older than $cut (a date), by day: what `graphsvc prune-utilization` would downsample.
MATCH (d:UtilizationDay)
WHERE d.day < $cut AND d.ms IS NOT NULL
RETURN d.day AS day, count(d) AS buckets, sum(size(d.ms)) AS readings
ORDER BY day
