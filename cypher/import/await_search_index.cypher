// Wait until the eventually consistent full-text indexes (item_search; audit_created, a bulk load's created items)
// have caught up with what was just written.
CALL db.index.fulltext.awaitEventuallyConsistentIndexRefresh()
