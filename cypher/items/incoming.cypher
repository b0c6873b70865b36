// What still refers to an item: a sample and the total.
MATCH (n:Item {id: $id})<-[r]-(m:Item)
WITH type(r) AS rel, m.id AS source ORDER BY source
WITH collect({rel: rel, source: source}) AS refs
RETURN size(refs) AS total, refs[0..10] AS sample
