// A related item with every stored property (items/related_out.cypher).
b {.*, createdAt: toString(b.createdAt), updatedAt: toString(b.updatedAt)}
