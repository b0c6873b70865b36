// The items a bulk load that stopped part-way wrote, by its audit entries ($tx: the clock they share, Audit.tx):
// those it created (a batch entry's `createdIds`), updated or added relationships to. Each entry committed with the
// write it records, so every item the load touched is here, whether or not its journal states were recorded.
MATCH (a:AuditEntry)
WHERE a.tx = $tx AND a.subject IN ['ITEM', 'CREATED']
UNWIND CASE a.subject WHEN 'CREATED' THEN split(a.createdIds, ' ') ELSE [a.itemId] END AS id
WITH DISTINCT id
WHERE id <> ''
RETURN id
ORDER BY id
