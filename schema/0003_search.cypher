// Full-text search over names, titles and descriptions of every item.
CREATE FULLTEXT INDEX item_search IF NOT EXISTS FOR (n:Item) ON EACH [n.id, n.name, n.title, n.description, n.statement, n.purpose];
