// A selected read's item with every stored property (the time stamps as ISO text, items.STAMPS).
n {.*, createdAt: toString(n.createdAt), updatedAt: toString(n.updatedAt)}
