// Discovery runs, newest first; of one source if $source is given.
MATCH (r:DiscoveryRun)
WHERE $source IS NULL OR r.source = $source
RETURN properties(r) AS props
ORDER BY r.at DESC, r.id DESC
LIMIT $limit
