// Full-text search over every item; the text is escaped by the caller into a Lucene query. createdAt and
// updatedAt come as ISO text (see items.py, STAMPS).
CALL db.index.fulltext.queryNodes('item_search', $query) YIELD node, score
RETURN node {.*, createdAt: toString(node.createdAt), updatedAt: toString(node.updatedAt)} AS props, score
ORDER BY score DESC, node.id
LIMIT $limit
