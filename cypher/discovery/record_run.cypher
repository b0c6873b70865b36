// One discovery run, with its counts and the first of what it reported (discoveryRuns).
CREATE (r:DiscoveryRun)
SET r = $props, r.at = datetime($at)
RETURN r.id AS id
