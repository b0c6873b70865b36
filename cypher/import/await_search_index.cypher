// Wait until the eventually consistent full-text index has caught up with what was just written.
CALL db.index.fulltext.awaitEventuallyConsistentIndexRefresh()
