// Full-text search over every item; the text is escaped by the caller into a Lucene query. createdAt and
// updatedAt come as ISO text (see items.py, STAMPS).
// The index is eventually consistent (schema/0003_search.cypher): it takes in a write a moment after its commit.
// Waiting for it first makes a search see every write committed before it began, so an item created just now is
// found, and an answer kept under the data fingerprint read before it (response_cache.py) is never older than
// that fingerprint. With nothing waiting to be taken in, the wait costs nothing measurable; during a large import
// it lasts until the index has caught up.
CALL db.index.fulltext.awaitEventuallyConsistentIndexRefresh()
// The hits come in one record holding a list, as a page does (items/page.cypher): the async driver pays a wait on
// the event loop per record, and 21 of them made a search the slowest answer of the browse mix under load.
CALL db.index.fulltext.queryNodes('item_search', $query) YIELD node, score
WITH node, score
ORDER BY score DESC, node.id
LIMIT $limit
RETURN collect([node {.*, createdAt: toString(node.createdAt), updatedAt: toString(node.updatedAt)}, score]) AS hits
