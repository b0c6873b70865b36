// Full-text search over names, titles and descriptions of every item. Eventually consistent: Lucene is updated
// just after commit instead of inside it, which more than doubles bulk-import speed; an import waits for the
// refresh before it returns, and a single mutation shows up in search a moment later.
CREATE FULLTEXT INDEX item_search IF NOT EXISTS FOR (n:Item) ON EACH [n.id, n.name, n.title, n.description, n.statement, n.purpose] OPTIONS {indexConfig: {`fulltext.eventually_consistent`: true}};
