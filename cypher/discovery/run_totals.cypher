// Discovery runs recorded, by source: how many and when the last one ran (GET /metrics). Dry runs are not recorded.
MATCH (r:DiscoveryRun)
WITH r.source AS source, count(r) AS runs, max(r.at) AS last
RETURN source, runs, last.epochMillis AS lastMillis
ORDER BY source
LIMIT $limit
