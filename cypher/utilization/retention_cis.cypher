// How many CIs have raw day buckets older than $cut (a date).
MATCH (d:UtilizationDay)
WHERE d.day < $cut AND d.ms IS NOT NULL
RETURN count(DISTINCT d.ci) AS cis
