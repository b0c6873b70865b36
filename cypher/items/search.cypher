// Full-text search over every item; the text is escaped by the caller into a Lucene query.
CALL db.index.fulltext.queryNodes('item_search', $query) YIELD node, score
RETURN properties(node) AS props, score
ORDER BY score DESC, node.id
LIMIT $limit
