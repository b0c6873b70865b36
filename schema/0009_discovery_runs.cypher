// Discovery runs (graphsvc/db/discovery.py): one node per run of a source, listed newest first by source.
CREATE CONSTRAINT discovery_run_id IF NOT EXISTS FOR (r:DiscoveryRun) REQUIRE r.id IS UNIQUE;
CREATE INDEX discovery_run_source IF NOT EXISTS FOR (r:DiscoveryRun) ON (r.source, r.at);
// The dependencies one source made (a run removes those it no longer sees).
CREATE INDEX depends_on_source IF NOT EXISTS FOR ()-[r:DEPENDS_ON]-() ON (r.source);
