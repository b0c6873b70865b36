// A bulk load's created items, recorded one audit entry per batch (graphsvc/db/audit.py created_entry): the entry's
// `createdIds` (the ids, separated by spaces) indexed id by id, so that an item's history finds its creation
// (cypher/audit/history.cypher). Eventually consistent, like item_search: Lucene is updated just after the commit
// rather than in it; an import waits for the refresh before it returns.
CREATE FULLTEXT INDEX audit_created IF NOT EXISTS FOR (a:AuditEntry) ON EACH [a.createdIds] OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace', `fulltext.eventually_consistent`: true}};
