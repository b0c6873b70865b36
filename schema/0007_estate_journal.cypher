// The estate's journal (graphsvc/db/journal.py): audit entries that carry the state of the items a write touched
// (`states`) are numbered by `pos`, taken from one :Journal node in the writing transaction, so their order is the
// order in which the writes committed. `estate(asOf:)` replays them; snapshots spare the replay from the start.
CREATE CONSTRAINT journal_id IF NOT EXISTS FOR (j:Journal) REQUIRE j.id IS UNIQUE;
CREATE INDEX audit_pos IF NOT EXISTS FOR (a:AuditEntry) ON (a.pos);
CREATE CONSTRAINT estate_snapshot_pos IF NOT EXISTS FOR (s:EstateSnapshot) REQUIRE s.pos IS UNIQUE;
// The assessment each change was approved on (graphsvc/db/change_writes.py), read by change id.
CREATE INDEX approved_assessment_change IF NOT EXISTS FOR (a:ApprovedAssessment) ON (a.change, a.at);
// Saved what-if scenarios (graphsvc/db/scenarios.py): a named list of edits, by id.
CREATE CONSTRAINT scenario_id IF NOT EXISTS FOR (s:Scenario) REQUIRE s.id IS UNIQUE;
