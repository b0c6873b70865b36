// Indexes on the fields people filter by.
CREATE INDEX item_kind IF NOT EXISTS FOR (n:Item) ON (n.itemKind);
CREATE INDEX ci_type IF NOT EXISTS FOR (n:ConfigurationItem) ON (n.type);
CREATE INDEX ci_environment IF NOT EXISTS FOR (n:ConfigurationItem) ON (n.environment);
CREATE INDEX ci_status IF NOT EXISTS FOR (n:ConfigurationItem) ON (n.status);
CREATE INDEX ci_criticality IF NOT EXISTS FOR (n:ConfigurationItem) ON (n.criticality);
CREATE INDEX service_tier IF NOT EXISTS FOR (n:Service) ON (n.tier);
CREATE INDEX service_status IF NOT EXISTS FOR (n:Service) ON (n.status);
CREATE INDEX service_criticality IF NOT EXISTS FOR (n:Service) ON (n.criticality);
CREATE INDEX requirement_kind IF NOT EXISTS FOR (n:Requirement) ON (n.kind);
CREATE INDEX policy_kind IF NOT EXISTS FOR (n:Policy) ON (n.kind);
CREATE INDEX policy_rule_type IF NOT EXISTS FOR (n:Policy) ON (n.ruleType);
CREATE INDEX incident_status IF NOT EXISTS FOR (n:Incident) ON (n.status);
CREATE INDEX incident_opened_at IF NOT EXISTS FOR (n:Incident) ON (n.openedAt);
CREATE INDEX problem_status IF NOT EXISTS FOR (n:Problem) ON (n.status);
CREATE INDEX change_status IF NOT EXISTS FOR (n:Change) ON (n.status);
CREATE INDEX change_planned_start IF NOT EXISTS FOR (n:Change) ON (n.plannedStart);
CREATE INDEX process_area IF NOT EXISTS FOR (n:Process) ON (n.area);
